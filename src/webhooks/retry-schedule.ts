/**
 * When to send a failed delivery again: exponential back-off from 1 s, doubling up to a 10-minute
 * cap, with equal jitter (half the step fixed, half random) so that the deliveries of many
 * events failing together spread out. The first retries come within seconds (a receiver that
 * restarted), later ones minutes apart (a receiver that is down); the retry window, not an
 * attempt count, decides when to give up.
 */

export const RETRY_INITIAL_MS = 1_000;
export const RETRY_MAX_MS = 10 * 60_000;

/** Milliseconds until the next attempt after `attempts` failed ones (1 after the first failure). */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const step = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** exponent);
  return Math.round(step / 2 + (random() * step) / 2);
}

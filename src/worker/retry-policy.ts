/**
 * When to retry a failed backend call, decided only by the error's `retryable` flag and
 * `retryAfterMs` (never by its message): exponential backoff with equal jitter (half the
 * exponential ceiling, plus a random share of the other half, so a retry never comes sooner
 * than half the ceiling), at least the backend's Retry-After, bounded attempts.
 */
import { BackendError } from '../backends/backend.js';

export interface RetryPolicy {
  /** Total tries including the first (1 = never retry). */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 500, maxBackoffMs: 60_000 };

/** Milliseconds to wait before try `attempt + 1`, or undefined when the error is final. */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (!(error instanceof BackendError) || !error.retryable || attempt >= policy.maxAttempts) return undefined;
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));
  // Equal jitter: uniform in [ceiling / 2, ceiling].
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(jittered, error.retryAfterMs ?? 0);
}

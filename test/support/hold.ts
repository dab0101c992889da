/**
 * Deliberate delays, where time passing is the thing under test: an outage held open, a slow
 * client trickling bytes, a kill at a chosen moment after a request. Never a way to wait for
 * something to happen; for that, await the event or poll for the condition (poll.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Lets `ms` pass on purpose; `why` says, for the reader, what the delay is. */
export async function hold(ms: number, why: string): Promise<void> {
  await delay(ms, why);
}

export interface HoldOptions {
  /** How long the fault is held, at least. */
  ms: number;
  /** How often `check` runs while it is held (the first run is at once). */
  everyMs: number;
  /** What is held, for the reader (e.g. 'PostgreSQL down'). */
  why: string;
  /** Runs `check` at least this many times, however long that takes (default 1). */
  minChecks?: number;
}

/**
 * Keeps a fault in place for `ms`, running `check` (what must stay true all along) at once and
 * then every `everyMs` until the time is up; returns how many checks ran.
 */
export async function holdFor(options: HoldOptions, check: (round: number) => Promise<void>): Promise<number> {
  const startedAt = Date.now();
  let checks = 0;
  for (;;) {
    await check(checks);
    checks++;
    const left = options.ms - (Date.now() - startedAt);
    if (left <= 0 && checks >= (options.minChecks ?? 1)) return checks;
    await hold(Math.max(0, Math.min(options.everyMs, left > 0 ? left : options.everyMs)), options.why);
  }
}

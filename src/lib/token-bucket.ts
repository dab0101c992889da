/**
 * A token bucket that may go into debt. It refills continuously at `ratePerMinute` up to
 * `capacity` and starts full. Taking never fails: the caller first asks `availableAt`, then
 * `take`s; a take larger than the level (a request bigger than the whole bucket, or a usage
 * correction after the fact) leaves the level negative, and later takes wait until the debt is
 * repaid. So the long-run rate never exceeds `ratePerMinute`, yet a request larger than the
 * capacity still runs once the bucket is full instead of waiting forever.
 *
 * Pure: every method takes the current time, so callers decide which clock to use.
 */

export interface TokenBucketOptions {
  /** Tokens added per minute (> 0). */
  ratePerMinute: number;
  /** Most tokens the bucket holds (> 0); it starts full. */
  capacity: number;
  /** Epoch milliseconds at creation. */
  nowMs: number;
}

/** A refilling budget; see the file header. */
export interface TokenBucket {
  readonly capacity: number;
  /** Tokens available at `nowMs` (negative while in debt). */
  level(nowMs: number): number;
  /**
   * Earliest epoch ms at which `amount` tokens (at most `capacity`) are available: `nowMs` when
   * they already are.
   */
  availableAt(amount: number, nowMs: number): number;
  /** Takes `amount` tokens unconditionally; the level may go negative. */
  take(amount: number, nowMs: number): void;
  /** Adds `delta` tokens (negative charges more), never above capacity. */
  adjust(delta: number, nowMs: number): void;
}

/** Slack for floating-point refill arithmetic, so a timer set for the exact moment succeeds. */
const EPSILON = 1e-9;

/** Creates a full bucket. */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  if (!(options.ratePerMinute > 0) || !Number.isFinite(options.ratePerMinute)) {
    throw new RangeError(`ratePerMinute must be a positive number, got ${options.ratePerMinute}`);
  }
  if (!(options.capacity > 0) || !Number.isFinite(options.capacity)) {
    throw new RangeError(`capacity must be a positive number, got ${options.capacity}`);
  }
  const { capacity } = options;
  const ratePerMs = options.ratePerMinute / 60_000;
  let tokens = capacity;
  let updatedAtMs = options.nowMs;

  function refill(nowMs: number): void {
    // A clock that steps backwards adds nothing (and takes nothing away).
    if (nowMs <= updatedAtMs) return;
    tokens = Math.min(capacity, tokens + (nowMs - updatedAtMs) * ratePerMs);
    updatedAtMs = nowMs;
  }

  return {
    capacity,
    level(nowMs) {
      refill(nowMs);
      return tokens;
    },
    availableAt(amount, nowMs) {
      refill(nowMs);
      const deficit = Math.min(amount, capacity) - tokens;
      if (deficit <= EPSILON) return nowMs;
      return nowMs + Math.ceil(deficit / ratePerMs);
    },
    take(amount, nowMs) {
      refill(nowMs);
      tokens -= amount;
    },
    adjust(delta, nowMs) {
      refill(nowMs);
      tokens = Math.min(capacity, tokens + delta);
    },
  };
}

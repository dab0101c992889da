/**
 * Per-model admission control for backend calls: a concurrency limit that adapts to throttling,
 * optional requests-per-minute and tokens-per-minute budgets, and a Retry-After pause.
 *
 * Waiting: callers form ONE FIFO queue and only its head is ever examined, so a big request is
 * never overtaken by small ones (no starvation) and an event costs O(waiters started), never
 * O(waiting). The head starts when a slot is free, the pause is over and both token buckets hold
 * its share. Blocked on a slot it waits for a release (no timer); blocked on budget or the pause
 * it waits on a single timer set for the moment it will fit. Nothing polls. Budget is taken only
 * when a waiter starts, so an abort while waiting leaves no trace. Waiters watch their signal
 * through lib/abort.ts's `onAbort`: those sharing an AbortSignal share one listener on it.
 *
 * Adaptive concurrency (AIMD): a throttled release (429 / 503 / RESOURCE_EXHAUSTED /
 * UNAVAILABLE) halves the limit, at most once per `cooldownMs` so that one burst of rejections
 * from calls started together counts once; `limit` consecutive successes raise it by one. The
 * limit stays within [minConcurrency, maxConcurrency]; calls already in flight above a lowered
 * limit finish normally, new ones wait.
 *
 * Token estimates: the TPM bucket is charged the estimate at start and corrected by the actual
 * usage at release (a correction may push it into debt, delaying later starts). A request whose
 * estimate exceeds the bucket's capacity waits for a full bucket and then runs, so one big request
 * always runs eventually while the long-run rate still holds.
 */
import { onAbort } from '../lib/abort.js';
import { type Clock, systemClock } from '../lib/clock.js';
import type { LimiterSnapshot } from '../batches/batch-progress.js';
import { createLinkedQueue, type LinkedQueueEntry } from '../lib/linked-queue.js';
import { createTokenBucket, type TokenBucket } from '../lib/token-bucket.js';

/** Timer functions, injectable so tests can drive time. */
export interface LimiterTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ModelLimiterOptions {
  /** Ceiling for calls in flight (and the starting limit). */
  maxConcurrency: number;
  /** Floor for the adaptive decrease; default 1. */
  minConcurrency?: number;
  /** Request budget; unlimited when unset. */
  requestsPerMinute?: number;
  /** Budget on estimated tokens (prompt + output); unlimited when unset. */
  tokensPerMinute?: number;
  /** Bucket capacity in seconds of rate (rpm/60 × burstSeconds, at least 1); default 1. */
  burstSeconds?: number;
  /** Minimum milliseconds between two throttle-driven halvings; default 1000. */
  cooldownMs?: number;
  /** Default `systemClock`. */
  clock?: Clock;
  /** Default the global `setTimeout` / `clearTimeout`. */
  timers?: LimiterTimers;
}

/** What happened to a call; reported once through its permit. */
export interface LimiterOutcome {
  /** Tokens the call actually used; corrects the TPM estimate. */
  tokens?: number;
  /** The backend throttled the call (429 / 503 / RESOURCE_EXHAUSTED / UNAVAILABLE). */
  throttled?: boolean;
  /** The backend asked to wait this long; pauses every new start for this model. */
  retryAfterMs?: number;
}

/** The right to run one call; give it back with `release`. */
export interface LimiterPermit {
  /**
   * Report the outcome: actual tokens used (corrects the TPM estimate, may push the bucket
   * negative), and whether the backend throttled – that halves the concurrency limit (AIMD) at
   * most once per `cooldownMs`. Success raises it by 1 after `limit` consecutive successes, up to
   * maxConcurrency. `retryAfterMs` pauses new starts until now + retryAfterMs. Must be called
   * exactly once; extra calls are ignored.
   */
  release(outcome: LimiterOutcome): void;
}

/** The limiter's state, for metrics and the dashboard. */
export type { LimiterSnapshot };

/** Concurrency and rate limits for one model. */
export interface ModelLimiter {
  /**
   * Waits (FIFO, fair) for a concurrency slot and for RPM/TPM budget for `estimatedTokens`;
   * rejects with signal.reason if the signal aborts while waiting (and leaves no trace: no slot or
   * budget consumed).
   */
  acquire(estimatedTokens: number, signal: AbortSignal): Promise<LimiterPermit>;
  /** `acquire`'s fast path, no promise: a permit if the call may start now, else undefined. */
  tryAcquire(estimatedTokens: number): LimiterPermit | undefined;
  snapshot(): LimiterSnapshot;
  /** Whether acquire uses its token estimate (a tokens-per-minute limit is set). */
  readonly tracksTokens: boolean;
}

interface Waiter {
  readonly estimatedTokens: number;
  readonly signal: AbortSignal;
  readonly resolve: (permit: LimiterPermit) => void;
  readonly reject: (reason: unknown) => void;
  /** Its place in the queue; undefined once it started or was dropped. */
  entry: LinkedQueueEntry<Waiter> | undefined;
  /** Unregisters its abort callback. */
  unwatch: () => void;
}

const globalTimers: LimiterTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Creates a limiter; see the file header for the rules. */
export function createModelLimiter(options: ModelLimiterOptions): ModelLimiter {
  const maxConcurrency = requireCount('maxConcurrency', options.maxConcurrency);
  const minConcurrency = Math.min(requireCount('minConcurrency', options.minConcurrency ?? 1), maxConcurrency);
  const burstSeconds = requirePositive('burstSeconds', options.burstSeconds ?? 1);
  const cooldownMs = options.cooldownMs ?? 1000;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? globalTimers;
  const requestBucket = makeBucket('requestsPerMinute', options.requestsPerMinute, burstSeconds, clock);
  const tokenBucket = makeBucket('tokensPerMinute', options.tokensPerMinute, burstSeconds, clock);

  const queue = createLinkedQueue<Waiter>();
  let concurrencyLimit = maxConcurrency;
  let inFlight = 0;
  let throttledCount = 0;
  let successStreak = 0;
  let lastDecreaseAtMs = Number.NEGATIVE_INFINITY;
  let pausedUntilMs = 0;
  let timer: unknown;
  let timerAtMs = Number.POSITIVE_INFINITY;

  /** Epoch ms at which a request of `tokens` may start as far as budget and pause go. */
  function readyAtMs(tokens: number, nowMs: number): number {
    // Forget an expired pause so that acquire's fast path applies again.
    if (pausedUntilMs !== 0 && pausedUntilMs <= nowMs) pausedUntilMs = 0;
    let readyAt = pausedUntilMs;
    if (requestBucket) readyAt = Math.max(readyAt, requestBucket.availableAt(1, nowMs));
    if (tokenBucket) readyAt = Math.max(readyAt, tokenBucket.availableAt(tokens, nowMs));
    return readyAt;
  }

  function start(estimatedTokens: number, nowMs: number): LimiterPermit {
    inFlight++;
    requestBucket?.take(1, nowMs);
    tokenBucket?.take(estimatedTokens, nowMs);
    let isReleased = false;
    return {
      release(outcome) {
        if (isReleased) return;
        isReleased = true;
        settle(estimatedTokens, outcome);
      },
    };
  }

  function settle(estimatedTokens: number, outcome: LimiterOutcome): void {
    inFlight--;
    if (outcome.throttled) {
      throttledCount++;
      successStreak = 0;
      const nowMs = clock.now();
      if (nowMs - lastDecreaseAtMs >= cooldownMs) {
        lastDecreaseAtMs = nowMs;
        concurrencyLimit = Math.max(minConcurrency, Math.floor(concurrencyLimit / 2));
      }
    } else if (concurrencyLimit < maxConcurrency && ++successStreak >= concurrencyLimit) {
      successStreak = 0;
      concurrencyLimit++;
    }
    if (tokenBucket && outcome.tokens !== undefined) {
      tokenBucket.adjust(estimatedTokens - outcome.tokens, clock.now());
    }
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
      pausedUntilMs = Math.max(pausedUntilMs, clock.now() + outcome.retryAfterMs);
    }
    if (queue.size > 0) pump();
  }

  /** Starts waiters from the head while they fit; arms the timer when the head waits on time. */
  function pump(): void {
    const nowMs = clock.now();
    for (let head = queue.peek(); head !== undefined && inFlight < concurrencyLimit; head = queue.peek()) {
      // Waiters behind an aborted head may share its signal: they leave, never start.
      if (head.signal.aborted) {
        drop(head);
        continue;
      }
      const readyAt = readyAtMs(head.estimatedTokens, nowMs);
      if (readyAt > nowMs) {
        armTimer(readyAt, nowMs);
        return;
      }
      queue.shift();
      head.entry = undefined;
      head.unwatch();
      head.resolve(start(head.estimatedTokens, nowMs));
    }
    // Empty, or the head waits for a slot: a release wakes it, so no timer is needed.
    disarmTimer();
  }

  function armTimer(atMs: number, nowMs: number): void {
    // An earlier timer is kept: when it fires, pump re-arms for the right moment.
    if (timer !== undefined && timerAtMs <= atMs) return;
    disarmTimer();
    timerAtMs = atMs;
    timer = timers.setTimeout(onTimer, Math.max(1, atMs - nowMs));
  }

  function disarmTimer(): void {
    if (timer === undefined) return;
    timers.clearTimeout(timer);
    timer = undefined;
    timerAtMs = Number.POSITIVE_INFINITY;
  }

  function onTimer(): void {
    timer = undefined;
    timerAtMs = Number.POSITIVE_INFINITY;
    pump();
  }

  function wait(estimatedTokens: number, signal: AbortSignal): Promise<LimiterPermit> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { estimatedTokens, signal, resolve, reject, entry: undefined, unwatch: () => {} };
      waiter.entry = queue.push(waiter);
      waiter.unwatch = onAbort(signal, () => {
        const wasHead = queue.peek() === waiter;
        drop(waiter);
        // The next waiter may fit where the aborted head did not (or the timer is now idle).
        if (wasHead) pump();
      });
      // A waiter behind others changes nothing until they start; only a new head needs a look.
      if (queue.size === 1) pump();
    });
  }

  /** Takes an aborted waiter out of the queue and rejects it with its signal's reason (once). */
  function drop(waiter: Waiter): void {
    if (waiter.entry === undefined) return;
    queue.remove(waiter.entry);
    waiter.entry = undefined;
    waiter.unwatch();
    waiter.reject(waiter.signal.reason);
  }

  /** Starts a call at once when it may (valid estimate assumed); undefined when it must wait. */
  function startNow(estimatedTokens: number): LimiterPermit | undefined {
    if (queue.size !== 0 || inFlight >= concurrencyLimit) return undefined;
    if (requestBucket === undefined && tokenBucket === undefined && pausedUntilMs === 0) return start(estimatedTokens, 0);
    const nowMs = clock.now();
    return readyAtMs(estimatedTokens, nowMs) <= nowMs ? start(estimatedTokens, nowMs) : undefined;
  }

  return {
    tracksTokens: tokenBucket !== undefined,
    acquire(estimatedTokens, signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      const invalid = estimateError(estimatedTokens);
      if (invalid) return Promise.reject(invalid);
      const permit = startNow(estimatedTokens);
      return permit === undefined ? wait(estimatedTokens, signal) : Promise.resolve(permit);
    },
    tryAcquire(estimatedTokens) {
      const invalid = estimateError(estimatedTokens);
      if (invalid) throw invalid;
      return startNow(estimatedTokens);
    },
    snapshot() {
      const nowMs = clock.now();
      const head = queue.peek();
      const resumeAtMs = head === undefined ? pausedUntilMs : readyAtMs(head.estimatedTokens, nowMs);
      const snapshot: LimiterSnapshot = { concurrencyLimit, inFlight, waiting: queue.size, throttledCount };
      if (resumeAtMs > nowMs) snapshot.rateLimitedUntilMs = resumeAtMs;
      return snapshot;
    },
  };
}

function estimateError(estimatedTokens: number): RangeError | undefined {
  if (estimatedTokens >= 0 && Number.isFinite(estimatedTokens)) return undefined;
  return new RangeError(`estimatedTokens must be a finite number >= 0, got ${estimatedTokens}`);
}

function makeBucket(name: string, perMinute: number | undefined, burstSeconds: number, clock: Clock): TokenBucket | undefined {
  if (perMinute === undefined) return undefined;
  requirePositive(name, perMinute);
  const capacity = Math.max(1, (perMinute / 60) * burstSeconds);
  return createTokenBucket({ ratePerMinute: perMinute, capacity, nowMs: clock.now() });
}

function requireCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}

function requirePositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

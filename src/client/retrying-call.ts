/**
 * Trying a call again while it fails transiently (connection errors, 408, 429, 5xx: see
 * api-error.ts): pauses of 0.5 s doubling to 30 s with ± 20 % jitter, or what the server's
 * `Retry-After` asked for, for up to `retryForMs` without a success. Before each pause the
 * caller is told (`onRetry`: the command line prints a one-line notice). A `RetryStreak` is the
 * state of one run of failures, for loops that try several steps (a resumable upload resets it
 * after each chunk that lands).
 */
import { abortableSleep } from '../lib/abort.js';
import { ApiError, isTransient } from './api-error.js';

export interface RetryNotice {
  /** The call, e.g. `batches.get`. */
  what: string;
  /** The try about to be made: 2 for the first retry. */
  attempt: number;
  delayMs: number;
  /** Why the last try failed, in a few words. */
  reason: string;
}

export interface RetryPolicy {
  /** How long a run of failures may last before the last error is thrown; 0 = no retries. */
  retryForMs: number;
  onRetry?: ((notice: RetryNotice) => void) | undefined;
  /** The first pause (default 500 ms); it doubles up to `maxDelayMs` (default 30 s). */
  initialDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
}

/** The default: a quarter of an hour of failures before giving up. */
export const DEFAULT_RETRY_FOR_MS = 15 * 60 * 1000;
const DEFAULT_INITIAL_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;
const JITTER = 0.2;

/** One run of failures: `failed` pauses before the next try, or throws when the error is not worth another. */
export interface RetryStreak {
  /** Throws `error` if it is not transient or the time is up; else tells `onRetry` and waits. */
  failed(error: unknown, signal?: AbortSignal): Promise<void>;
  /** A success: the next failure starts a new run. */
  succeeded(): void;
}

export function retryStreak(what: string, policy: RetryPolicy): RetryStreak {
  let firstFailureAt: number | undefined;
  let attempts = 0;
  let delay = 0;
  return {
    async failed(error, signal) {
      if (signal?.aborted || !isTransient(error)) throw error;
      const now = Date.now();
      firstFailureAt ??= now;
      attempts++;
      delay = delay === 0 ? policy.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS : Math.min(policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, delay * 2);
      const jittered = Math.round(delay * (1 - JITTER + 2 * JITTER * Math.random()));
      const pause = error.retryAfterMs ?? jittered;
      if (now - firstFailureAt + pause > policy.retryForMs) throw gaveUp(error, attempts, now - firstFailureAt);
      policy.onRetry?.({ what, attempt: attempts + 1, delayMs: pause, reason: reasonOf(error) });
      if (signal) await abortableSleep(pause, signal);
      else await new Promise((resolve) => setTimeout(resolve, pause));
    },
    succeeded() {
      firstFailureAt = undefined;
      attempts = 0;
      delay = 0;
    },
  };
}

/** Runs `attempt` until it succeeds, retrying transient failures under `policy`. */
export async function withRetries<T>(what: string, policy: RetryPolicy, attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const streak = retryStreak(what, policy);
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      await streak.failed(error, signal);
    }
  }
}

/** The policy that never retries (non-idempotent calls). */
export const noRetries = (policy: RetryPolicy): RetryPolicy => ({ ...policy, retryForMs: 0 });

/** A short reason for a notice: `503 UNAVAILABLE`, `connection lost (socket hang up)`. */
function reasonOf(error: ApiError): string {
  if (error.httpStatus === 0) return error.message.replace(/^[^:]*: /, '');
  return `${error.httpStatus}${error.status ? ` ${error.status}` : ''}`;
}

/** The last error, saying how long it has been failing (the first error alone when no retry was made). */
function gaveUp(error: ApiError, attempts: number, failingForMs: number): ApiError {
  if (attempts <= 1) return error;
  return new ApiError(`${error.message} (gave up after ${attempts} tries over ${Math.round(failingForMs / 1000)}s)`, error.httpStatus, error.status, error.retryAfterMs);
}

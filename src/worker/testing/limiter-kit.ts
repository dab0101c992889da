/**
 * Test kit of the model limiter's tests: a manual clock with timers that fire only when a test
 * advances time, and helpers that start an acquire and record its outcome.
 */
import type { Clock } from '../../lib/clock.js';
import type { LimiterPermit, LimiterTimers, ModelLimiter } from '../model-limiter.js';

/** Lets pending promise continuations (and the callers' `then`s) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A manual clock plus timers that fire only when the test advances time. */
export function createFakeTime() {
  let nowMs = 0;
  let nextId = 0;
  let scheduled = 0;
  const pending = new Map<number, { atMs: number; fn: () => void }>();
  const clock: Clock = { now: () => nowMs };
  const timers: LimiterTimers = {
    setTimeout(fn, ms) {
      const id = ++nextId;
      pending.set(id, { atMs: nowMs + ms, fn });
      scheduled++;
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  /** Moves time forward by `ms`, firing due timers in order and settling promises after each. */
  async function advance(ms: number): Promise<void> {
    const targetMs = nowMs + ms;
    for (;;) {
      await settle();
      let due: [number, { atMs: number; fn: () => void }] | undefined;
      for (const candidate of pending) {
        if (candidate[1].atMs <= targetMs && (due === undefined || candidate[1].atMs < due[1].atMs)) due = candidate;
      }
      if (due === undefined) break;
      pending.delete(due[0]);
      nowMs = Math.max(nowMs, due[1].atMs);
      due[1].fn();
    }
    nowMs = targetMs;
    await settle();
  }
  return {
    clock,
    timers,
    advance,
    get pendingTimers() {
      return pending.size;
    },
    get scheduledTimers() {
      return scheduled;
    },
  };
}

/** Starts an acquire and records when (and whether) it resolved. */
export function track(limiter: ModelLimiter, estimatedTokens: number, signal = new AbortController().signal) {
  const state: { permit?: LimiterPermit; error?: unknown } = {};
  limiter.acquire(estimatedTokens, signal).then(
    (permit) => (state.permit = permit),
    (error: unknown) => (state.error = error),
  );
  return state;
}

/** Whether a tracked acquire has resolved (a function, so that asserting it narrows nothing). */
export const isStarted = (state: { permit?: LimiterPermit }): boolean => state.permit !== undefined;

export const never = new AbortController().signal;

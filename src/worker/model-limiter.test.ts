import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../lib/clock.js';
import { createModelLimiter, type LimiterPermit, type LimiterTimers, type ModelLimiter } from './model-limiter.js';

/** Lets pending promise continuations (and the callers' `then`s) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A manual clock plus timers that fire only when the test advances time. */
function createFakeTime() {
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
function track(limiter: ModelLimiter, estimatedTokens: number, signal = new AbortController().signal) {
  const state: { permit?: LimiterPermit; error?: unknown } = {};
  limiter.acquire(estimatedTokens, signal).then(
    (permit) => (state.permit = permit),
    (error: unknown) => (state.error = error),
  );
  return state;
}

/** Whether a tracked acquire has resolved (a function, so that asserting it narrows nothing). */
const isStarted = (state: { permit?: LimiterPermit }): boolean => state.permit !== undefined;

const never = new AbortController().signal;

test('never more than the limit in flight: 500 concurrent tasks, peak equals the limit', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 7 });
  let running = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 500 }, async (_, index) => {
    const permit = await limiter.acquire(1, never);
    running++;
    peak = Math.max(peak, running);
    assert.ok(limiter.snapshot().inFlight <= 7);
    // Uneven, partly synchronous, partly timer-based work.
    if (index % 3 === 0) await new Promise((resolve) => setTimeout(resolve, index % 5));
    else await settle();
    running--;
    permit.release({});
  }));
  assert.equal(peak, 7);
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 7, inFlight: 0, waiting: 0, throttledCount: 0 });
});

test('waiters start in FIFO order', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 2 });
  const order: number[] = [];
  await Promise.all(Array.from({ length: 50 }, async (_, index) => {
    const permit = await limiter.acquire(1, never);
    order.push(index);
    await settle();
    permit.release({});
  }));
  assert.deepEqual(order, Array.from({ length: 50 }, (_, index) => index));
});

test('abort while waiting rejects with the reason and consumes nothing', async () => {
  const time = createFakeTime();
  const limiter = createModelLimiter({ maxConcurrency: 1, tokensPerMinute: 60_000, clock: time.clock, timers: time.timers });
  const holder = await limiter.acquire(10, never);
  const controller = new AbortController();
  const aborted = track(limiter, 990, controller.signal);
  const next = track(limiter, 990);
  await settle();
  assert.equal(limiter.snapshot().waiting, 2);

  const reason = new Error('cancelled by the user');
  controller.abort(reason);
  await settle();
  assert.equal(aborted.error, reason, 'rejects with signal.reason itself');
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 1, inFlight: 1, waiting: 1, throttledCount: 0 });

  // The aborted waiter took neither the slot nor its 990 tokens: the next one starts at once.
  holder.release({ tokens: 10 });
  await settle();
  assert.ok(next.permit, 'the next waiter got the slot and the budget');
  assert.equal(limiter.snapshot().inFlight, 1);

  // An already aborted signal rejects at once, also without side effects.
  next.permit.release({ tokens: 0 });
  await assert.rejects(limiter.acquire(1, AbortSignal.abort(new Error('too late'))), /too late/);
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 1, inFlight: 0, waiting: 0, throttledCount: 0 });
});

test('aborting the head that waits on budget lets the next one in and leaves no timer behind', async () => {
  const time = createFakeTime();
  const limiter = createModelLimiter({ maxConcurrency: 10, tokensPerMinute: 60_000, clock: time.clock, timers: time.timers });
  (await limiter.acquire(900, never)).release({});
  const controller = new AbortController();
  const big = track(limiter, 1_000, controller.signal); // needs 900 more ms
  const small = track(limiter, 50); // fits now, but FIFO keeps it behind
  await time.advance(10);
  assert.equal(isStarted(small), false, 'no overtaking');
  assert.equal(time.pendingTimers, 1);
  controller.abort(new Error('stop'));
  await settle();
  assert.ok(big.error);
  assert.ok(small.permit, 'started as soon as the head left');
  assert.equal(time.pendingTimers, 0);
});

test('RPM: at 600/min over a simulated 5 s, starts are at most 10 × 5 + burst, with no busy timers', async () => {
  const time = createFakeTime();
  const limiter = createModelLimiter({ maxConcurrency: 1_000, requestsPerMinute: 600, clock: time.clock, timers: time.timers });
  const startTimes: number[] = [];
  for (let index = 0; index < 200; index++) {
    limiter.acquire(1, never).then((permit) => {
      startTimes.push(time.clock.now());
      permit.release({});
    });
  }
  await settle();
  assert.equal(startTimes.length, 10, 'the burst (1 s of rate) starts at once');
  const snapshot = limiter.snapshot();
  assert.equal(snapshot.waiting, 190);
  assert.equal(snapshot.rateLimitedUntilMs, 100);

  await time.advance(5_000);
  assert.ok(startTimes.length <= 10 * 5 + 10, `${startTimes.length} starts`);
  assert.ok(startTimes.length >= 10 * 5 + 10 - 1, `${startTimes.length} starts: the budget is used, not wasted`);
  // After the burst, one start per 100 ms.
  assert.deepEqual(startTimes.slice(10, 14), [100, 200, 300, 400]);
  assert.ok(time.scheduledTimers <= startTimes.length, `${time.scheduledTimers} timers for ${startTimes.length} starts`);
});

test('TPM: big estimates wait for budget; actual usage corrects the estimate', async () => {
  const time = createFakeTime();
  // 1 000 tokens per second, bucket of 1 000.
  const limiter = createModelLimiter({ maxConcurrency: 100, tokensPerMinute: 60_000, clock: time.clock, timers: time.timers });
  const first = await limiter.acquire(800, never);
  const second = track(limiter, 800);
  await time.advance(599);
  assert.equal(isStarted(second), false, 'only 799 tokens so far');
  assert.equal(limiter.snapshot().rateLimitedUntilMs, 600);
  await time.advance(1);
  assert.ok(second.permit, 'starts when 800 tokens are there');

  // Used far less than estimated: the difference comes back at once.
  first.release({ tokens: 100 });
  second.permit.release({ tokens: 100 });
  assert.equal(limiter.snapshot().rateLimitedUntilMs, undefined);
  const third = track(limiter, 1_000);
  await settle();
  assert.ok(third.permit, 'refunded 1 400 tokens, capped at the 1 000 capacity');

  // Used far more than estimated: the bucket goes into debt and later starts wait for it.
  third.permit.release({ tokens: 3_000 });
  const fourth = track(limiter, 1);
  await settle();
  assert.equal(isStarted(fourth), false);
  assert.equal(limiter.snapshot().rateLimitedUntilMs, time.clock.now() + 2_001);
  await time.advance(2_001);
  assert.ok(fourth.permit);
  fourth.permit.release({ tokens: 1 });

  // One request larger than the whole bucket runs once the bucket is full, not never.
  await time.advance(5_000);
  const huge = track(limiter, 50_000);
  await settle();
  assert.ok(huge.permit);
  huge.permit.release({});
  const after = track(limiter, 1);
  await time.advance(48_999);
  assert.equal(isStarted(after), false, 'the long-run rate still holds');
  await time.advance(2);
  assert.ok(after.permit);
});

test('adaptive: throttles halve the limit once per cooldown down to the floor; successes add one per limit', async () => {
  const time = createFakeTime();
  const limiter = createModelLimiter({ maxConcurrency: 16, minConcurrency: 3, cooldownMs: 1_000, clock: time.clock, timers: time.timers });
  const call = async (outcome: { throttled?: boolean }) => (await limiter.acquire(1, never)).release(outcome);

  await call({ throttled: true });
  assert.equal(limiter.snapshot().concurrencyLimit, 8);
  await call({ throttled: true });
  await call({ throttled: true });
  assert.equal(limiter.snapshot().concurrencyLimit, 8, 'within the cooldown: counted, not applied');
  assert.equal(limiter.snapshot().throttledCount, 3);
  await time.advance(1_000);
  await call({ throttled: true });
  assert.equal(limiter.snapshot().concurrencyLimit, 4);
  await time.advance(1_000);
  await call({ throttled: true });
  assert.equal(limiter.snapshot().concurrencyLimit, 3, 'floor');

  // The lowered limit is enforced.
  const held = await Promise.all([1, 2, 3].map(() => limiter.acquire(1, never)));
  const fourth = track(limiter, 1);
  await settle();
  assert.equal(isStarted(fourth), false);
  for (const permit of held) permit.release({});
  await settle();
  assert.ok(fourth.permit);
  // 3 successes so far (the limit was 3): +1.
  assert.equal(limiter.snapshot().concurrencyLimit, 4);
  fourth.permit.release({});

  // Additive increase: `limit` successes per step, never above max.
  const limits: number[] = [];
  for (let index = 0; index < 300; index++) {
    await call({});
    limits.push(limiter.snapshot().concurrencyLimit);
  }
  assert.equal(limits[1], 4);
  assert.equal(limits[2], 5, 'the 4th success at limit 4 (one came just above) adds one');
  assert.equal(Math.max(...limits), 16);
  assert.equal(limits.at(-1), 16);
  // From 5 to 16 takes 5 + 6 + … + 15 more successes.
  assert.equal(limits.indexOf(16), 2 + ((5 + 15) * 11) / 2);
});

test('a throttle resets the success streak', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 8, cooldownMs: 0 });
  const call = async (outcome: { throttled?: boolean }) => (await limiter.acquire(1, never)).release(outcome);
  await call({ throttled: true }); // 4
  for (let index = 0; index < 3; index++) await call({});
  await call({ throttled: true }); // 2
  await call({});
  assert.equal(limiter.snapshot().concurrencyLimit, 2, 'only 1 success since the last throttle');
  await call({});
  assert.equal(limiter.snapshot().concurrencyLimit, 3);
});

test('retryAfterMs pauses every new start until it has passed', async () => {
  const time = createFakeTime();
  const limiter = createModelLimiter({ maxConcurrency: 4, clock: time.clock, timers: time.timers });
  const permit = await limiter.acquire(1, never);
  permit.release({ throttled: true, retryAfterMs: 2_000 });
  assert.equal(limiter.snapshot().rateLimitedUntilMs, 2_000, 'shown even with nobody waiting');
  const waiters = [track(limiter, 1), track(limiter, 1)];
  await time.advance(1_999);
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 2, inFlight: 0, waiting: 2, rateLimitedUntilMs: 2_000, throttledCount: 1 });
  await time.advance(1);
  assert.ok(waiters.every((waiter) => waiter.permit));
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 2, inFlight: 2, waiting: 0, throttledCount: 1 });

  // A later, longer Retry-After extends the pause; a shorter one does not shorten it.
  waiters[0]!.permit!.release({ retryAfterMs: 5_000 });
  waiters[1]!.permit!.release({ retryAfterMs: 1_000 });
  assert.equal(limiter.snapshot().rateLimitedUntilMs, 7_000);
});

test('a second release is ignored', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 2 });
  const permit = await limiter.acquire(1, never);
  permit.release({ throttled: true });
  permit.release({ throttled: true });
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 1, inFlight: 0, waiting: 0, throttledCount: 1 });
});

test('rejects bad options and estimates', async () => {
  assert.throws(() => createModelLimiter({ maxConcurrency: 0 }), RangeError);
  assert.throws(() => createModelLimiter({ maxConcurrency: 1, requestsPerMinute: 0 }), RangeError);
  await assert.rejects(createModelLimiter({ maxConcurrency: 1 }).acquire(-1, never), RangeError);
});

test('real time: 25 calls at 1 200/min (burst 20) take about 250 ms', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 100, requestsPerMinute: 1_200 });
  const startedAt = Date.now();
  const offsets: number[] = [];
  await Promise.all(Array.from({ length: 25 }, async () => {
    const permit = await limiter.acquire(1, never);
    offsets.push(Date.now() - startedAt);
    permit.release({});
  }));
  assert.ok(offsets[19]! < 50, `burst started at once (${offsets[19]} ms)`);
  assert.ok(offsets[24]! >= 240, `the rest were paced (${offsets[24]} ms)`);
  assert.ok(offsets[24]! < 1_000);
});

test('hot path: hundreds of thousands of acquire/release per second; thousands of waiters with aborts', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 64 });
  const operations = 200_000;
  const startedAt = performance.now();
  for (let index = 0; index < operations; index++) (await limiter.acquire(1, never)).release({});
  const perSecond = operations / ((performance.now() - startedAt) / 1_000);
  assert.ok(perSecond > 200_000, `${Math.round(perSecond)} acquire/release per second`);

  // 20 000 waiters on one slot, every other one on a signal that aborts.
  const holder = await limiter.acquire(1, never);
  const gate = createModelLimiter({ maxConcurrency: 1 });
  const first = await gate.acquire(1, never);
  const controller = new AbortController();
  let completed = 0;
  let rejected = 0;
  const all = Array.from({ length: 20_000 }, async (_, index) => {
    try {
      (await gate.acquire(1, index % 2 === 0 ? controller.signal : never)).release({});
      completed++;
    } catch {
      rejected++;
    }
  });
  const abortStartedAt = performance.now();
  controller.abort();
  first.release({});
  await Promise.all(all);
  assert.deepEqual({ completed, rejected }, { completed: 10_000, rejected: 10_000 });
  assert.ok(performance.now() - abortStartedAt < 2_000);
  holder.release({});
  assert.deepEqual(gate.snapshot(), { concurrencyLimit: 1, inFlight: 0, waiting: 0, throttledCount: 0 });
});

test('waiters sharing a signal share one listener; an abort rejects only those still waiting', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  const limiter = createModelLimiter({ maxConcurrency: 2 });
  const controller = new AbortController();
  const waiters = Array.from({ length: 1_000 }, () => track(limiter, 1, controller.signal));
  await settle();
  assert.equal(limiter.snapshot().waiting, 998);
  waiters[0]!.permit!.release({});
  await settle();
  controller.abort(new Error('shutdown'));
  await settle();
  process.off('warning', onWarning);
  assert.deepEqual(warnings, [], 'no MaxListenersExceededWarning');
  assert.ok(waiters[1]!.permit && waiters[2]!.permit, 'started waiters keep their permits');
  assert.ok(waiters.slice(3).every((waiter) => waiter.error instanceof Error && waiter.error.message === 'shutdown'));
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 2, inFlight: 2, waiting: 0, throttledCount: 0 });
  waiters[1]!.permit.release({});
  waiters[2]!.permit.release({});
  assert.equal(limiter.snapshot().inFlight, 0);
});

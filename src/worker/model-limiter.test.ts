// Tests of the model limiter: the concurrency limit, FIFO order, aborts while waiting, AIMD, releases and options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hold } from '../../test/support/hold.js';
import { createModelLimiter } from './model-limiter.js';
import { settle, createFakeTime, track, isStarted, never } from './testing/limiter-kit.js';

test('never more than the limit in flight: 500 concurrent tasks, peak equals the limit', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 7 });
  let running = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 500 }, async (_, index) => {
    const permit = await limiter.acquire(1, never);
    running++;
    peak = Math.max(peak, running);
    assert.ok(limiter.snapshot().inFlight <= 7);
    // Uneven, partly synchronous, partly timer-based work: the delays are on purpose, to interleave the tasks.
    if (index % 3 === 0) await hold(index % 5, 'uneven timer-based work that interleaves the tasks');
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

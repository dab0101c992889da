// Tests of the model limiter's budgets: requests and tokens per minute, and the Retry-After pause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModelLimiter } from './model-limiter.js';
import { settle, createFakeTime, track, isStarted, never } from './testing/limiter-kit.js';

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

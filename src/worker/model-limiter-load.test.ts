// Tests of the model limiter under load: many acquire/release cycles and waiters, and one abort listener per
// shared signal. Its speed is measured side by side in bench/, not asserted here (timings in a shared CI
// machine's unit tests only make them flaky).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModelLimiter } from './model-limiter.js';
import { settle, track, never } from './testing/limiter-kit.js';

test('hot path: 200,000 acquire/release cycles leave nothing held; 20,000 waiters, half aborted, all settle', async () => {
  const limiter = createModelLimiter({ maxConcurrency: 64 });
  for (let index = 0; index < 200_000; index++) (await limiter.acquire(1, never)).release({});
  assert.deepEqual(limiter.snapshot(), { concurrencyLimit: 64, inFlight: 0, waiting: 0, throttledCount: 0 });

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
  controller.abort();
  first.release({});
  await Promise.all(all);
  assert.deepEqual({ completed, rejected }, { completed: 10_000, rejected: 10_000 });
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

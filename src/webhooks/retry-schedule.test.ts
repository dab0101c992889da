// The retry schedule's bounds: equal jitter keeps each delay within [step/2, step], the step
// doubles from 1 s, and the cap holds however many attempts failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RETRY_MAX_MS, retryDelayMs } from './retry-schedule.js';

test('the step doubles from one second, with half of it random', () => {
  assert.deepEqual([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, () => 0)), [500, 1_000, 2_000, 4_000]);
  assert.deepEqual([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, () => 1)), [1_000, 2_000, 4_000, 8_000]);
  assert.equal(retryDelayMs(0, () => 1), 1_000, 'a zero count is the first step');
});

test('delays stay within bounds and reach the ten-minute cap', () => {
  for (let attempts = 1; attempts <= 200; attempts++) {
    const delay = retryDelayMs(attempts);
    const step = Math.min(RETRY_MAX_MS, 1_000 * 2 ** (attempts - 1));
    assert.ok(delay >= step / 2 && delay <= step, `attempt ${attempts}: ${delay}`);
  }
  assert.equal(retryDelayMs(11, () => 1), RETRY_MAX_MS);
  assert.equal(retryDelayMs(1_000_000, () => 1), RETRY_MAX_MS);
  assert.equal(retryDelayMs(1_000_000, () => 0), RETRY_MAX_MS / 2);
});

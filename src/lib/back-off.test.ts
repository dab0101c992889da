import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBackOff } from './back-off.js';

test('each failure doubles the pause up to the ceiling; a success clears it', () => {
  let now = 1_000;
  const backOff = createBackOff({ now: () => now }, { initialMs: 100, maxMs: 350 });
  assert.equal(backOff.ready(), true);
  backOff.failed();
  assert.deepEqual([backOff.ready(), backOff.delayMs()], [false, 100]);
  now += 100;
  assert.equal(backOff.ready(), true);
  backOff.failed();
  backOff.failed();
  assert.equal(backOff.delayMs(), 350, '100 → 200 → 400, capped at 350');
  now += 349;
  assert.equal(backOff.ready(), false);
  backOff.succeeded();
  assert.deepEqual([backOff.ready(), backOff.delayMs()], [true, 0]);
});

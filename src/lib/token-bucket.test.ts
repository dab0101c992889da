import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenBucket } from './token-bucket.js';

test('starts full, refills at the rate, caps at capacity', () => {
  const bucket = createTokenBucket({ ratePerMinute: 600, capacity: 10, nowMs: 0 }); // 10 per second
  assert.equal(bucket.level(0), 10);
  bucket.take(10, 0);
  assert.equal(bucket.availableAt(1, 0), 100);
  assert.equal(bucket.availableAt(5, 0), 500);
  assert.equal(bucket.availableAt(1, 100), 100, 'available exactly when the timer would fire');
  assert.equal(bucket.level(60_000), 10, 'never above capacity');
});

test('debt: a take beyond the level goes negative and delays later takes', () => {
  const bucket = createTokenBucket({ ratePerMinute: 60_000, capacity: 1_000, nowMs: 0 }); // 1 per ms
  bucket.take(3_000, 0);
  assert.equal(bucket.level(0), -2_000);
  assert.equal(bucket.availableAt(1, 0), 2_001);
  bucket.adjust(2_500, 0);
  assert.equal(bucket.level(0), 500);
  bucket.adjust(10_000, 0);
  assert.equal(bucket.level(0), 1_000, 'corrections never overfill');
});

test('an amount above capacity only needs a full bucket', () => {
  const bucket = createTokenBucket({ ratePerMinute: 60_000, capacity: 1_000, nowMs: 0 });
  bucket.take(400, 0);
  assert.equal(bucket.availableAt(50_000, 0), 400);
});

test('a clock stepping backwards adds nothing', () => {
  const bucket = createTokenBucket({ ratePerMinute: 60_000, capacity: 1_000, nowMs: 1_000 });
  bucket.take(1_000, 1_000);
  assert.equal(bucket.level(500), 0);
  assert.equal(bucket.level(1_100), 100);
});

test('rejects a zero rate or capacity', () => {
  assert.throws(() => createTokenBucket({ ratePerMinute: 0, capacity: 1, nowMs: 0 }), RangeError);
  assert.throws(() => createTokenBucket({ ratePerMinute: 1, capacity: Number.NaN, nowMs: 0 }), RangeError);
});

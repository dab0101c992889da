// Tests of lib/retry-after.ts, the Retry-After reader of every HTTP backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryAfterMs } from './retry-after.js';

const NOW = Date.parse('2025-07-11T12:00:00Z');

test('Retry-After: seconds, fractions, HTTP dates; retry-after-ms wins; nonsense is ignored', () => {
  assert.equal(retryAfterMs({ 'retry-after': '2' }, NOW), 2000);
  assert.equal(retryAfterMs({ 'retry-after': ['1.5'] }, NOW), 1500);
  assert.equal(retryAfterMs({ 'retry-after': ' 7 ' }, NOW), 7000);
  assert.equal(retryAfterMs({ 'retry-after': '0.5' }, NOW), 500);
  assert.equal(retryAfterMs({ 'retry-after': 'Fri, 11 Jul 2025 12:00:30 GMT' }, NOW), 30_000);
  assert.equal(retryAfterMs({ 'retry-after': 'Fri, 11 Jul 2025 11:00:00 GMT' }, NOW), 0, 'a date in the past means now');
  assert.equal(retryAfterMs({ 'retry-after': '20', 'retry-after-ms': '120' }, NOW), 120);
  assert.equal(retryAfterMs({ 'retry-after-ms': '0.4' }, NOW), 1);
  assert.equal(retryAfterMs({ 'retry-after': 'soon' }, NOW), undefined);
  assert.equal(retryAfterMs({ 'retry-after': '-3' }, NOW), undefined, 'not read as the year -3');
  assert.equal(retryAfterMs({ 'retry-after': '' }, NOW), undefined);
  assert.equal(retryAfterMs({}, NOW), undefined);
});

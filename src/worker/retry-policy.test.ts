// Tests of the retry policy: equal-jitter exponential backoff, Retry-After as a floor, final errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendError } from '../backends/backend.js';
import { retryDelayMs } from './retry-policy.js';

const policy = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 1_000 };
const transient = new BackendError('busy', { status: 'UNAVAILABLE', retryable: true, httpStatus: 503 });

test('backoff grows exponentially with equal jitter (between half the ceiling and the ceiling) and is capped', () => {
  assert.equal(retryDelayMs(transient, 1, policy, () => 0), 50, 'never below half the ceiling');
  assert.equal(retryDelayMs(transient, 1, policy, () => 0.5), 75);
  assert.equal(retryDelayMs(transient, 1, policy, () => 1), 100);
  assert.equal(retryDelayMs(transient, 3, policy, () => 0), 200);
  assert.equal(retryDelayMs(transient, 3, policy, () => 1), 400);
  assert.equal(retryDelayMs(transient, 3, { ...policy, maxAttempts: 10, maxBackoffMs: 300 }, () => 1), 300);
});

test('Retry-After is a floor; final and non-retryable errors are not retried', () => {
  const limited = new BackendError('slow down', { status: 'RESOURCE_EXHAUSTED', retryable: true, retryAfterMs: 5_000 });
  assert.equal(retryDelayMs(limited, 1, policy, () => 0), 5_000);
  assert.equal(retryDelayMs(transient, 4, policy), undefined, 'attempts exhausted');
  assert.equal(retryDelayMs(new BackendError('bad', { status: 'INVALID_ARGUMENT', retryable: false }), 1, policy), undefined);
  assert.equal(retryDelayMs(new Error('bug'), 1, policy), undefined);
});

// Tests of retry-delay.ts: google.rpc.RetryInfo durations (Retry-After headers: lib/retry-after.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryInfoDelayMs } from './retry-delay.js';

test('RetryInfo retryDelay as proto3 JSON duration or {seconds, nanos}; other details ignored', () => {
  const help = { '@type': 'type.googleapis.com/google.rpc.Help', links: [] };
  assert.equal(retryInfoDelayMs([help, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }]), 12_000);
  assert.equal(retryInfoDelayMs([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.250000001s' }]), 251);
  assert.equal(retryInfoDelayMs([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: { seconds: '2', nanos: 5e8 } }]), 2500);
  assert.equal(retryInfoDelayMs([help, { retryDelay: '3s' }]), undefined);
  assert.equal(retryInfoDelayMs(undefined), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryAfterHeaderMs, retryInfoDelayMs } from './retry-delay.js';

test('Retry-After in seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterHeaderMs('7', now), 7000);
  assert.equal(retryAfterHeaderMs(['1.5'], now), 1500);
  assert.equal(retryAfterHeaderMs('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(retryAfterHeaderMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.equal(retryAfterHeaderMs('soon', now), undefined);
  assert.equal(retryAfterHeaderMs(undefined, now), undefined);
});

test('RetryInfo retryDelay as proto3 JSON duration or {seconds, nanos}; other details ignored', () => {
  const help = { '@type': 'type.googleapis.com/google.rpc.Help', links: [] };
  assert.equal(retryInfoDelayMs([help, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }]), 12_000);
  assert.equal(retryInfoDelayMs([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.250000001s' }]), 251);
  assert.equal(retryInfoDelayMs([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: { seconds: '2', nanos: 5e8 } }]), 2500);
  assert.equal(retryInfoDelayMs([help, { retryDelay: '3s' }]), undefined);
  assert.equal(retryInfoDelayMs(undefined), undefined);
});

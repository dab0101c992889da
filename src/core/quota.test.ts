// Tests of the quota checks: which limit refuses, and the QuotaFailure each refusal carries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from './errors.js';
import { checkBatchAdmission, checkFileAdmission, limitsFor, NO_USAGE } from './quota.js';

const refusal = (fn: () => void): AppError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(error.httpStatus, 429);
    return error;
  }
  assert.fail('expected a refusal');
};

test('files: the largest file first, then the stored bytes with the use and the request', () => {
  const limits = { storedFileBytes: 100, largestFileBytes: 60 };
  checkFileAdmission('t', limits, { ...NO_USAGE, storedFileBytes: 40 }, 60);
  assert.equal(refusal(() => checkFileAdmission('t', limits, NO_USAGE, 61)).quotaFailure?.[0]?.quotaId, 'LargestFileBytes');
  assert.deepEqual(refusal(() => checkFileAdmission('t', limits, { ...NO_USAGE, storedFileBytes: 50 }, 51)).quotaFailure, [{
    subject: 'tenant:t', quotaId: 'StoredFileBytes', quotaValue: '100', currentUsage: '50', requested: '51',
    description: 'storing 51 more bytes would exceed the stored file bytes limit of 100; 50 are in use.',
  }]);
  checkFileAdmission('t', {}, { ...NO_USAGE, storedFileBytes: 1e15 }, 1e12);
});

test('batches: requests per batch, concurrent batches, enqueued tokens of the same model only', () => {
  const limits = { requestsPerBatch: 10, activeBatches: 2, enqueuedTokensPerModel: 100 };
  const demand = { model: 'm', requestCount: 10, estimatedTokens: 50 };
  checkBatchAdmission('t', limits, { ...NO_USAGE, activeBatches: 1, enqueuedTokensByModel: { m: 50, other: 1000 } }, demand);
  assert.equal(refusal(() => checkBatchAdmission('t', limits, NO_USAGE, { ...demand, requestCount: 11 })).quotaFailure?.[0]?.quotaId, 'RequestsPerBatch');
  assert.equal(refusal(() => checkBatchAdmission('t', limits, { ...NO_USAGE, activeBatches: 2 }, demand)).quotaFailure?.[0]?.currentUsage, '2');
  const tokens = refusal(() => checkBatchAdmission('t', limits, { ...NO_USAGE, enqueuedTokensByModel: { m: 51 } }, demand)).quotaFailure?.[0];
  assert.deepEqual([tokens?.subject, tokens?.quotaDimensions, tokens?.currentUsage], ['tenant:t/model:m', { model: 'm' }, '51']);
});

test('limitsFor: a tenant override replaces only the fields it sets', () => {
  const quotas = { default: { activeBatches: 5, storedFileBytes: 9 }, tenants: { a: { activeBatches: 1 } } };
  assert.deepEqual(limitsFor(quotas, 'a'), { activeBatches: 1, storedFileBytes: 9 });
  assert.deepEqual(limitsFor(quotas, 'constructor'), { activeBatches: 5, storedFileBytes: 9 });
});

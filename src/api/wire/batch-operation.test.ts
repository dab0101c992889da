import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchRecord } from '../../core/batch.js';
import { toOperation } from './batch-operation.js';

const batch: BatchRecord = {
  id: 'b1', tenantId: 't', kind: 'generate', model: 'gemini-2.5-flash', displayName: 'test-batch-job', state: 'BATCH_STATE_PENDING',
  priority: 0, inputKind: 'file', inputFileId: 'f1', inputBlobKey: 'k', requestCount: 3, succeededCount: 0, failedCount: 0,
  resultsBlobKey: undefined, outputFileId: undefined, webhookConfig: undefined, error: undefined, createTimeMs: 0, updateTimeMs: 0,
  startTimeMs: undefined, endTimeMs: undefined, deadlineMs: 1, idempotencyKey: undefined, requestHash: undefined,
};

test('a pending batch: no done key, int64 counts as strings, zeros omitted, file input echoed', () => {
  assert.deepEqual(toOperation({ batch, succeededCount: 0, failedCount: 0 }), {
    name: 'batches/b1',
    metadata: {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
      model: 'models/gemini-2.5-flash',
      displayName: 'test-batch-job',
      inputConfig: { fileName: 'files/f1' },
      createTime: '1970-01-01T00:00:00.000Z',
      updateTime: '1970-01-01T00:00:00.000Z',
      batchStats: { requestCount: '3', pendingRequestCount: '3' },
      state: 'BATCH_STATE_PENDING',
      name: 'batches/b1',
    },
  });
});

test('a finished file batch: output in metadata and response, done, endTime; JOB_STATE names on request', () => {
  const done = { ...batch, state: 'BATCH_STATE_SUCCEEDED' as const, outputFileId: 'batch-b1', endTimeMs: 5, priority: -2 };
  const operation = toOperation({ batch: done, succeededCount: 2, failedCount: 1 }, { stateNames: 'job' }) as {
    done: boolean; metadata: Record<string, unknown>; response: Record<string, unknown>;
  };
  assert.equal(operation.done, true);
  assert.deepEqual(operation.metadata.output, { responsesFile: 'files/batch-b1' });
  assert.deepEqual(operation.response, {
    '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput',
    responsesFile: 'files/batch-b1',
  });
  assert.deepEqual(operation.metadata.batchStats, { requestCount: '3', successfulRequestCount: '2', failedRequestCount: '1' });
  assert.equal(operation.metadata.state, 'JOB_STATE_SUCCEEDED');
  assert.equal(operation.metadata.endTime, '1970-01-01T00:00:00.005Z');
  assert.equal(operation.metadata.priority, '-2');
});

test('inline results are doubly nested; embed batches carry their own @type', () => {
  const inline = { ...batch, kind: 'embed' as const, inputKind: 'inline' as const, inputFileId: undefined, state: 'BATCH_STATE_SUCCEEDED' as const };
  const items = [{ response: { embedding: { values: [1] } } }];
  const operation = toOperation({ batch: inline, succeededCount: 1, failedCount: 0 }, { inlinedResponses: items }) as {
    metadata: Record<string, unknown>; response: Record<string, unknown>;
  };
  assert.deepEqual(operation.metadata.output, { inlinedResponses: { inlinedResponses: items } });
  assert.equal(operation.metadata['@type'], 'type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch');
  assert.equal(operation.response['@type'], 'type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput');
  assert.equal(operation.metadata.inputConfig, undefined, 'inline input is not echoed');
});

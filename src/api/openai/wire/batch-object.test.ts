import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BatchRecord } from '../../../core/batch.js';
import type { BatchView } from '../../../batches/index.js';
import { statusOf, toOpenAIBatch } from './batch-object.js';

const HOUR = 3_600_000;
const base: BatchRecord = {
  id: 'b1', tenantId: 't', kind: 'generate', model: 'gemini-2.5-flash', displayName: '', state: 'BATCH_STATE_PENDING',
  priority: 0, inputKind: 'file', inputFileId: 'f1', inputBlobKey: 'k', requestCount: 4, succeededCount: 0, failedCount: 0,
  resultsBlobKey: undefined, outputFileId: undefined, webhookConfig: undefined, error: undefined, createTimeMs: 10_000, updateTimeMs: 10_000,
  startTimeMs: undefined, endTimeMs: undefined, deadlineMs: 10_000 + 24 * HOUR, idempotencyKey: undefined, requestHash: undefined,
  openai: {
    endpoint: '/v1/chat/completions', completionWindow: '24h', metadata: { team: 'a' }, inputFileId: 'files/f1', errors: undefined,
  },
};
const view = (batch: Partial<BatchRecord>, counts: Partial<BatchView> = {}): BatchView => ({
  batch: { ...base, ...batch }, succeededCount: 0, failedCount: 0, ...counts,
});

describe('the OpenAI batch object', () => {
  test('statuses follow the state, the stop request and the live counts', () => {
    assert.equal(statusOf(view({})), 'in_progress');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_RUNNING' }, { succeededCount: 2 })), 'in_progress');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_RUNNING' }, { succeededCount: 3, failedCount: 1 })), 'finalizing');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_RUNNING', stopState: 'BATCH_STATE_CANCELLED' })), 'cancelling');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_RUNNING', stopState: 'BATCH_STATE_EXPIRED' })), 'finalizing');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_SUCCEEDED' })), 'completed');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_FAILED' })), 'failed');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_EXPIRED' })), 'expired');
    assert.equal(statusOf(view({ state: 'BATCH_STATE_CANCELLED' })), 'cancelled');
  });

  test('a running batch: Unix seconds, null where not reached, live counts, no files yet', () => {
    const object = toOpenAIBatch(view({ state: 'BATCH_STATE_RUNNING', startTimeMs: 12_500 }, { succeededCount: 1, failedCount: 1 }));
    assert.deepEqual(object, {
      id: 'batches/b1', object: 'batch', endpoint: '/v1/chat/completions', model: 'gemini-2.5-flash', errors: null,
      input_file_id: 'files/f1', completion_window: '24h', status: 'in_progress', output_file_id: null, error_file_id: null,
      created_at: 10, in_progress_at: 12, expires_at: 10 + 24 * 3600, finalizing_at: null, completed_at: null, failed_at: null,
      expired_at: null, cancelling_at: null, cancelled_at: null, request_counts: { total: 4, completed: 1, failed: 1 },
      metadata: { team: 'a' },
    });
  });

  test('a finished batch: its end time under its status, output and error files when not empty, usage', () => {
    const usage = { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 2, cachedContentTokenCount: 3, totalTokenCount: 17 };
    const done = toOpenAIBatch(view({ state: 'BATCH_STATE_SUCCEEDED', startTimeMs: 11_000, endTimeMs: 20_000 }, { succeededCount: 3, failedCount: 1, usage }));
    assert.equal(done.completed_at, 20);
    assert.equal(done.output_file_id, 'files/batch-b1');
    assert.equal(done.error_file_id, 'files/batch-b1-errors');
    assert.deepEqual(done.usage, {
      input_tokens: 10, output_tokens: 7, total_tokens: 17,
      input_tokens_details: { cached_tokens: 3 }, output_tokens_details: { reasoning_tokens: 2 },
    });
    const allFailed = toOpenAIBatch(view({ state: 'BATCH_STATE_CANCELLED', endTimeMs: 30_000 }, { failedCount: 4 }));
    assert.deepEqual([allFailed.cancelled_at, allFailed.output_file_id, allFailed.error_file_id], [30, null, 'files/batch-b1-errors']);
  });

  test('a file that failed validation lists its line errors', () => {
    const errors = [{ line: 2, code: 'invalid_json', message: 'Line 2 is not JSON.', param: null }];
    const failed = toOpenAIBatch(view({ state: 'BATCH_STATE_FAILED', requestCount: 0, endTimeMs: 10_000, openai: { ...base.openai!, errors } }));
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failed_at, 10);
    assert.deepEqual(failed.errors, { object: 'list', data: errors });
    assert.deepEqual(failed.request_counts, { total: 0, completed: 0, failed: 0 });
  });

  test('a native batch: endpoint by kind, its results file, no metadata, a window from its deadline', () => {
    const native = toOpenAIBatch(view(
      { openai: undefined, kind: 'embed', state: 'BATCH_STATE_SUCCEEDED', outputFileId: 'batch-b1', deadlineMs: 10_000 + 48 * HOUR },
      { succeededCount: 2, failedCount: 2 },
    ));
    assert.deepEqual(
      [native.endpoint, native.input_file_id, native.output_file_id, native.error_file_id, native.metadata, native.completion_window],
      ['/v1/embeddings', 'files/f1', 'files/batch-b1', null, null, '48h'],
    );
  });
});

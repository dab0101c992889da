// The batch service's reads that the API only serialises: a finished inline batch's results
// come with getWithResults (in input order), nothing else reads them; delete removes the blobs.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { batchInputKey, shardLogKey } from '../core/blob-keys.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { createBatchService, type BatchService } from './batch-service.js';
import { finalizeBatch } from './finalize-batch.js';
import { appendToLog, batchInput, logLine, manualClock, prompts, TENANT, testOpenAISubmitter, testSubmitter, uploadText } from './testing/batch-fixture.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-batch-service-');
let service: BatchService;
beforeEach(() => {
  const { store, blobs } = storage;
  const finalize = (batchId: string): Promise<unknown> => finalizeBatch(batchId, { store, blobs, clock, fileRetentionMs: 60_000 });
  service = createBatchService({
    store, blobs, clock, submit: testSubmitter(store, blobs, clock, 2), submitOpenAI: testOpenAISubmitter(store, blobs, clock, 2), sleep: async () => undefined,
    notify: { wake: () => undefined, abortBatch: () => undefined, finalize },
  });
});

test('a finished inline batch is read with its results, in input order', async () => {
  const { batch } = await service.create(batchInput({ kind: 'inline', requests: prompts(3) }));
  await appendToLog(storage.blobs, batch.id, 0, logLine(1) + logLine(0));
  assert.equal((await service.getWithResults(TENANT, batch.id)).inlinedResponses, undefined, 'not while it runs');
  await appendToLog(storage.blobs, batch.id, 1, logLine(2, { failed: true }));
  await finalizeBatch(batch.id, { store: storage.store, blobs: storage.blobs, clock, fileRetentionMs: 60_000 });

  const view = await service.getWithResults(TENANT, batch.id);
  assert.deepEqual(view.inlinedResponses?.map((item) => (item as { metadata: { i: number } }).metadata.i), [0, 1, 2]);
  assert.ok((view.inlinedResponses?.[2] as { error?: unknown }).error);
  assert.equal((await service.get(TENANT, batch.id)).inlinedResponses, undefined, 'get alone reads no results');
});

test('a finished file batch points at its results file instead', async () => {
  const fileId = await uploadText(storage.store, storage.blobs, clock, `${JSON.stringify({ key: 'a', request: { contents: [{ parts: [{ text: 'a' }] }] } })}\n`);
  const { batch } = await service.create(batchInput({ kind: 'file', fileId }));
  await service.cancel(TENANT, batch.id);
  const view = await service.getWithResults(TENANT, batch.id);
  assert.deepEqual([view.batch.state, view.batch.outputFileId, view.inlinedResponses], ['BATCH_STATE_CANCELLED', `batch-${batch.id}`, undefined]);
});

test('delete removes the batch, its input copy and its shard logs', async () => {
  const { batch } = await service.create(batchInput({ kind: 'inline', requests: prompts(3) }));
  await appendToLog(storage.blobs, batch.id, 1, logLine(2));
  await service.delete(TENANT, batch.id);
  assert.equal(await storage.store.batches.getById(batch.id), undefined);
  assert.deepEqual([await storage.blobs.size(batchInputKey(batch.id)), await storage.blobs.size(shardLogKey(batch.id, 1))], [undefined, undefined]);
  await assert.rejects(service.getWithResults(TENANT, batch.id), /was not found/);
});

test('validate runs the dry run of the submitter: it counts, creates nothing and wakes no worker', async () => {
  let woken = 0;
  const { store, blobs } = storage;
  const dry = createBatchService({
    store, blobs, clock, submit: testSubmitter(store, blobs, clock, 2), submitOpenAI: testOpenAISubmitter(store, blobs, clock, 2), sleep: async () => undefined,
    notify: { wake: () => void woken++, abortBatch: () => undefined, finalize: async () => undefined },
  });
  assert.deepEqual(await dry.validate(batchInput({ kind: 'inline', requests: prompts(3) })), { model: 'gemini-test', requestCount: 3, estimatedInputTokens: 6 });
  assert.deepEqual([await store.batches.list(TENANT, { limit: 10 }), woken], [[], 0]);
  await assert.rejects(dry.validate(batchInput({ kind: 'inline', requests: [{ request: { contents: 'nope' } }] })), /requests\[0\]/);
  const plain = createBatchService({
    store, blobs, clock, submit: async () => { throw new Error('not called'); }, submitOpenAI: testOpenAISubmitter(store, blobs, clock, 2),
    sleep: async () => undefined, notify: { wake: () => undefined, abortBatch: () => undefined, finalize: async () => undefined },
  });
  await assert.rejects(plain.validate(batchInput({ kind: 'inline', requests: prompts(1) })), /UNIMPLEMENTED|not supported/);
});

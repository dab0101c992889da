// Finalizing a batch created through the OpenAI-compatible surface: successes go to the output
// file, failures and requests that never ran to the error file, each file registered only when
// it has lines; every request is in exactly one of them, in input order.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { errorFileId, resultsFileId, type BatchRecord } from '../core/batch.js';
import { batchInputKey, batchPrefix, shardLogKey } from '../core/blob-keys.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { finalizeBatch, type FinalizeDeps } from './finalize-batch.js';
import { streamResults } from './live-results.js';
import { errorLine, rpcStatus, successLine } from './result-line.js';
import { encodeOutputLine } from './shard-log.js';
import { appendToLog, chatLine, manualClock, openAIBatchInput, readText, TENANT, testOpenAISubmitter, uploadText } from './testing/batch-fixture.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-finalize-openai-');
let deps: FinalizeDeps;
beforeEach(() => {
  deps = { store: storage.store, blobs: storage.blobs, clock, fileRetentionMs: 60_000 };
});

/** An OpenAI chat batch of requests `r0`…`r<count-1>`, two per shard. */
async function openAIBatch(count: number, metadata?: Record<string, string>): Promise<BatchRecord> {
  const text = Array.from({ length: count }, (_, index) => chatLine(`r${index}`)).join('\n');
  const fileId = await uploadText(storage.store, storage.blobs, clock, text);
  return testOpenAISubmitter(storage.store, storage.blobs, clock, 2)(openAIBatchInput(fileId, { metadata }));
}

const answer = (text: string) => ({
  candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
  usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 3, totalTokenCount: 5 },
});
/** The shard-log line a worker writes for request `index` of an OpenAI batch. */
const succeeded = (index: number): string =>
  encodeOutputLine(index, true, successLine({ key: `r${index}` }, answer(`answer ${index}`), 'file'), { promptTokenCount: 2, candidatesTokenCount: 3, totalTokenCount: 5 });
const failed = (index: number): string =>
  encodeOutputLine(index, false, errorLine({ key: `r${index}` }, rpcStatus('INVALID_ARGUMENT', `bad request ${index}`), 'file'));

interface OpenAILine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: { choices?: { message: { content: string } }[]; error?: { message: string; type: string } } } | null;
  error: { code: string; message: string } | null;
}

async function fileLines(fileId: string): Promise<OpenAILine[] | undefined> {
  const file = await storage.store.files.get(TENANT, fileId);
  if (!file) return undefined;
  return (await readText(storage.blobs, file.blobKey)).trimEnd().split('\n').map((line) => JSON.parse(line) as OpenAILine);
}

const blobsOf = (batchId: string): string[] => readdirSync(join(storage.dir, batchPrefix(batchId)), { recursive: true, encoding: 'utf8' }).sort();

test('all succeed: one output file in input order, no error file, the logs and input removed', async () => {
  const batch = await openAIBatch(3, { description: 'nightly' });
  await appendToLog(storage.blobs, batch.id, 0, succeeded(1) + succeeded(0));
  await appendToLog(storage.blobs, batch.id, 1, succeeded(2));
  clock.advance(1_000);

  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount, done?.usage?.totalTokenCount, done?.outputFileId], ['BATCH_STATE_SUCCEEDED', 3, 0, 15, resultsFileId(batch.id)]);
  const lines = await fileLines(resultsFileId(batch.id));
  assert.deepEqual(lines?.map((line) => [line.id, line.custom_id, line.response?.status_code, line.response?.body.choices?.[0]?.message.content, line.error]), [
    [`batch_req_${batch.id}_0`, 'r0', 200, 'answer 0', null],
    [`batch_req_${batch.id}_1`, 'r1', 200, 'answer 1', null],
    [`batch_req_${batch.id}_2`, 'r2', 200, 'answer 2', null],
  ]);
  assert.equal(await storage.store.files.get(TENANT, errorFileId(batch.id)), undefined);
  const file = await storage.store.files.get(TENANT, resultsFileId(batch.id));
  assert.deepEqual([file?.displayName, file?.source, file?.mimeType, file?.blobKey, file?.expirationTimeMs], ['nightly output', 'GENERATED', 'application/jsonl', done?.resultsBlobKey, clock.now() + 60_000]);
  assert.equal(file?.sizeBytes, Buffer.byteLength(await readText(storage.blobs, file?.blobKey ?? '')));
  assert.deepEqual(blobsOf(batch.id), [done?.resultsBlobKey?.slice(batchPrefix(batch.id).length)], 'only the output blob is left');
  assert.equal(await storage.blobs.size(batchInputKey(batch.id)), undefined);
  assert.deepEqual(await finalizeBatch(batch.id, deps), done, 'a second run changes nothing');
});

test('mixed: the successes in the output file, the failures in the error file with their status', async () => {
  const batch = await openAIBatch(4);
  await appendToLog(storage.blobs, batch.id, 0, succeeded(0) + failed(1));
  await appendToLog(storage.blobs, batch.id, 1, succeeded(3) + succeeded(2));

  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount], ['BATCH_STATE_SUCCEEDED', 3, 1]);
  assert.deepEqual((await fileLines(resultsFileId(batch.id)))?.map((line) => line.custom_id), ['r0', 'r2', 'r3']);
  const errors = await fileLines(errorFileId(batch.id));
  assert.deepEqual(errors?.map((line) => [line.id, line.custom_id, line.response?.status_code, line.response?.body.error?.message, line.error]), [
    [`batch_req_${batch.id}_1`, 'r1', 400, 'bad request 1', null],
  ]);
  const errorFile = await storage.store.files.get(TENANT, errorFileId(batch.id));
  assert.equal(errorFile?.displayName, `${batch.id} errors`);
  assert.equal(done?.resultsBlobKey, (await storage.store.files.get(TENANT, resultsFileId(batch.id)))?.blobKey);
});

test('cancelled: finished results kept in the output file, the rest batch_cancelled in the error file', async () => {
  const batch = await openAIBatch(5);
  await appendToLog(storage.blobs, batch.id, 0, failed(1));
  await appendToLog(storage.blobs, batch.id, 1, succeeded(2));
  assert.ok(await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_CANCELLED', clock.now()));

  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount], ['BATCH_STATE_CANCELLED', 1, 4]);
  assert.deepEqual((await fileLines(resultsFileId(batch.id)))?.map((line) => line.custom_id), ['r2']);
  const errors = await fileLines(errorFileId(batch.id));
  assert.deepEqual(errors?.map((line) => [line.custom_id, line.response?.status_code ?? null, line.error?.code ?? null]), [
    ['r0', null, 'batch_cancelled'], ['r1', 400, null], ['r3', null, 'batch_cancelled'], ['r4', null, 'batch_cancelled'],
  ]);
});

test('expired with nothing run: only an error file (batch_expired), which holds the results', async () => {
  const batch = await openAIBatch(3);
  assert.ok(await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_EXPIRED', clock.now()));

  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount, done?.outputFileId], ['BATCH_STATE_EXPIRED', 0, 3, undefined]);
  assert.equal(await storage.store.files.get(TENANT, resultsFileId(batch.id)), undefined);
  const errors = await fileLines(errorFileId(batch.id));
  assert.deepEqual(errors?.map((line) => [line.custom_id, line.error?.code]), [['r0', 'batch_expired'], ['r1', 'batch_expired'], ['r2', 'batch_expired']]);
  assert.equal(done?.resultsBlobKey, (await storage.store.files.get(TENANT, errorFileId(batch.id)))?.blobKey);
  assert.deepEqual(blobsOf(batch.id), [done?.resultsBlobKey?.slice(batchPrefix(batch.id).length)], 'the empty output blob is not kept');
});

test('failed as a whole: the requests that never ran are batch_failed with the batch error', async () => {
  const batch = await openAIBatch(2);
  await appendToLog(storage.blobs, batch.id, 0, succeeded(0));
  assert.ok(await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_FAILED', clock.now(), rpcStatus('NOT_FOUND', 'model gone')));
  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount], ['BATCH_STATE_FAILED', 1, 1]);
  assert.deepEqual((await fileLines(errorFileId(batch.id)))?.map((line) => [line.custom_id, line.error?.code, line.error?.message]), [['r1', 'batch_failed', 'model gone']]);
});

test('a batch that failed validation at create is left as it is', async () => {
  const fileId = await uploadText(storage.store, storage.blobs, clock, '{bad');
  const batch = await testOpenAISubmitter(storage.store, storage.blobs, clock, 2)(openAIBatchInput(fileId));
  assert.equal(batch.state, 'BATCH_STATE_FAILED');
  assert.deepEqual(await finalizeBatch(batch.id, deps), batch);
  const signal = new AbortController().signal;
  const streamed: Buffer[] = [];
  for await (const chunk of streamResults({ store: storage.store, blobs: storage.blobs, sleep: async () => undefined, pollMs: 1 }, batch, { follow: true, signal })) streamed.push(chunk);
  assert.deepEqual(streamed, [], 'live results end at once');
});

test('live results: OpenAI lines while it runs, then the rest from the OpenAI files, each request once', async () => {
  const batch = await openAIBatch(3);
  await appendToLog(storage.blobs, batch.id, 0, succeeded(0));
  let logged = false;
  const sleep = async (): Promise<void> => {
    if (logged) return;
    logged = true;
    await appendToLog(storage.blobs, batch.id, 1, failed(2));
    assert.ok(await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_CANCELLED', clock.now()));
    await finalizeBatch(batch.id, deps);
  };
  const lines: string[] = [];
  for await (const chunk of streamResults({ store: storage.store, blobs: storage.blobs, sleep, pollMs: 1 }, batch, { follow: true, signal: new AbortController().signal })) {
    lines.push(...chunk.toString().trimEnd().split('\n'));
  }
  const parsed = lines.map((line) => JSON.parse(line) as { id: string; key?: string; custom_id: string; response: { status_code: number } | null; error: { code: string } | null });
  assert.deepEqual(parsed.map((line) => line.custom_id), ['r0', 'r1', 'r2']);
  assert.ok(parsed.every((line) => line.key === undefined), 'one format from start to end');
  assert.deepEqual(parsed.map((line) => line.id), [0, 1, 2].map((index) => `batch_req_${batch.id}_${index}`));
  assert.equal(parsed[0]?.response?.status_code, 200, 'the first, streamed while running');
  assert.equal(parsed[1]?.error?.code, 'batch_cancelled');
  assert.ok((parsed[2]?.response?.status_code ?? 0) >= 400, 'a request that failed at the backend');
  assert.deepEqual(await storage.blobs.size(shardLogKey(batch.id, 0)), undefined);
});

// Finalize: the shard logs merged into one results blob in input order; error lines for the
// requests a cancel or expiry left unrun; a failed write leaves no blob and the batch as it was.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { resultsFileId } from '../core/batch.js';
import { batchInputKey, batchPrefix, shardLogKey } from '../core/blob-keys.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { finalizeBatch, type FinalizeDeps } from './finalize-batch.js';
import { appendToLog, batchInput, identities, logLine, manualClock, prompts, readText, testSubmitter, uploadText } from './testing/batch-fixture.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-finalize-');
let deps: FinalizeDeps;
beforeEach(() => {
  deps = { store: storage.store, blobs: storage.blobs, clock, fileRetentionMs: 60_000 };
});

const resultLines = async (key: string | undefined): Promise<string[]> => (await readText(storage.blobs, key ?? 'missing')).trimEnd().split('\n');
/** The blob keys under a batch's prefix, as the local storage.store lays them out. */
const blobsOf = (batchId: string): string[] => readdirSync(join(storage.dir, batchPrefix(batchId)), { recursive: true, encoding: 'utf8' }).sort();

test('results come out in input order, whatever order the shards logged them in', async () => {
  const batch = await testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests: prompts(5) }));
  await appendToLog(storage.blobs, batch.id, 0, logLine(1, { totalTokens: 3 }) + logLine(0, { totalTokens: 4 }));
  await appendToLog(storage.blobs, batch.id, 1, logLine(3) + logLine(2, { failed: true }));
  await appendToLog(storage.blobs, batch.id, 2, logLine(4));
  clock.advance(1_000);

  const done = await finalizeBatch(batch.id, deps);
  assert.equal(done?.state, 'BATCH_STATE_SUCCEEDED');
  assert.deepEqual([done?.succeededCount, done?.failedCount, done?.usage?.totalTokenCount, done?.endTimeMs], [4, 1, 7, clock.now()]);
  const lines = await resultLines(done?.resultsBlobKey);
  assert.deepEqual(identities(lines), [0, 1, 2, 3, 4]);
  assert.match(lines[2] ?? '', /"error"/);
  assert.equal(done?.outputFileId, undefined, 'an inline batch gets no results file');
  // The results blob now holds everything: the input copy and the shard logs are gone.
  assert.equal(await storage.blobs.size(batchInputKey(batch.id)), undefined);
  assert.equal(await storage.blobs.size(shardLogKey(batch.id, 0)), undefined);
  assert.deepEqual(await finalizeBatch(batch.id, deps), done, 'a second run changes nothing');
});

test('a cancelled batch gets a CANCELLED line for each request that did not run', async () => {
  const batch = await testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests: prompts(4) }));
  await appendToLog(storage.blobs, batch.id, 0, logLine(0));
  await appendToLog(storage.blobs, batch.id, 1, logLine(3));
  assert.ok(await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_CANCELLED', clock.now()));

  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount], ['BATCH_STATE_CANCELLED', 2, 2]);
  const lines = (await resultLines(done?.resultsBlobKey)).map((line) => JSON.parse(line) as { metadata: { i: number }; error?: { status: string } });
  assert.deepEqual(lines.map((line) => [line.metadata.i, line.error?.status]), [[0, undefined], [1, 'CANCELLED'], [2, 'CANCELLED'], [3, undefined]]);
});

test('an expired file batch gets DEADLINE_EXCEEDED lines with their keys, and a results file', async () => {
  const input = ['a', 'b', 'c'].map((key) => JSON.stringify({ key, request: { contents: [{ parts: [{ text: key }] }] } })).join('\n');
  const fileId = await uploadText(storage.store, storage.blobs, clock, `${input}\n`);
  const batch = await testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'file', fileId }));
  await appendToLog(storage.blobs, batch.id, 0, logLine(1).replace('"metadata":{"i":1}', '"key":"b"'));
  assert.ok(await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_EXPIRED', clock.now()));

  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount, done?.failedCount, done?.outputFileId], ['BATCH_STATE_EXPIRED', 1, 2, resultsFileId(batch.id)]);
  const lines = (await resultLines(done?.resultsBlobKey)).map((line) => JSON.parse(line) as { key: string; error?: { status: string } });
  assert.deepEqual(lines.map((line) => [line.key, line.error?.status]), [['a', 'DEADLINE_EXCEEDED'], ['b', undefined], ['c', 'DEADLINE_EXCEEDED']]);
  const file = await storage.store.files.get(batch.tenantId, resultsFileId(batch.id));
  assert.deepEqual([file?.source, file?.blobKey, file?.expirationTimeMs], ['GENERATED', done?.resultsBlobKey, clock.now() + 60_000]);
});

test('a write that fails half-way leaves no results blob and the batch unfinalized; a later run succeeds', async () => {
  const batch = await testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests: prompts(4) }));
  await appendToLog(storage.blobs, batch.id, 0, logLine(0) + logLine(1));
  // Shard 1's log cannot be read (a directory where the file should be): the merge fails after shard 0 was written.
  mkdirSync(join(storage.dir, shardLogKey(batch.id, 1)));

  await assert.rejects(finalizeBatch(batch.id, deps));
  const after = await storage.store.batches.getById(batch.id);
  assert.deepEqual([after?.state, after?.resultsBlobKey], ['BATCH_STATE_PENDING', undefined]);
  assert.deepEqual(blobsOf(batch.id).filter((key) => key.startsWith('results-')), [], 'the partial results blob is removed');
  assert.ok(await storage.blobs.size(shardLogKey(batch.id, 0)), 'the shard logs are kept for the next attempt');

  rmSync(join(storage.dir, shardLogKey(batch.id, 1)), { recursive: true });
  await appendToLog(storage.blobs, batch.id, 1, logLine(2) + logLine(3));
  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.state, done?.succeededCount], ['BATCH_STATE_SUCCEEDED', 4]);
  assert.deepEqual(identities(await resultLines(done?.resultsBlobKey)), [0, 1, 2, 3]);
  assert.deepEqual(blobsOf(batch.id).filter((key) => key.startsWith('results-')).length, 1);
});

test('a batch that is gone finalizes to nothing', async () => {
  assert.equal(await finalizeBatch('no-such-batch', deps), undefined);
});

test('results larger than one write piece are the logged result bytes, unchanged, in input order', async () => {
  const batch = await testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests: prompts(6) }));
  // Result lines as a backend might leave them (odd spacing, unicode, escapes), ~300 KiB each.
  const result = (index: number): string => `{"metadata":{"i":${index}}, "response":{"text":"${'é\\"\\t'.repeat(100_000)}${index}"}}`;
  for (const [shard, order] of [[0, [1, 0]], [1, [3, 2]], [2, [5, 4]]] as const) {
    await appendToLog(storage.blobs, batch.id, shard, order.map((index) => `${index}\ts\t1,2,0,0,3\t${result(index)}\n`).join(''));
  }
  const done = await finalizeBatch(batch.id, deps);
  assert.deepEqual([done?.succeededCount, done?.usage?.totalTokenCount], [6, 18]);
  assert.equal(await readText(storage.blobs, done?.resultsBlobKey ?? 'missing'), [0, 1, 2, 3, 4, 5].map((index) => `${result(index)}\n`).join(''));
});

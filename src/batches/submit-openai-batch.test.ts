// The OpenAI-compatible create: a good file becomes a pending batch of native lines; a file with
// bad lines becomes a batch that is FAILED from the start, listing its line errors; only a
// missing file or a reused Idempotency-Key makes the create itself fail.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BatchRecord } from '../core/batch.js';
import { AppError } from '../core/errors.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import type { SubmitOpenAIBatchInput } from './submit-openai-batch.js';
import { chatLine, manualClock, openAIBatchInput, readText, TENANT, testOpenAISubmitter, uploadText } from './testing/batch-fixture.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-submit-openai-');

const submit = async (text: string, overrides: Partial<SubmitOpenAIBatchInput> = {}, shardSize = 2): Promise<BatchRecord> =>
  testOpenAISubmitter(storage.store, storage.blobs, clock, shardSize)(openAIBatchInput(await uploadText(storage.store, storage.blobs, clock, text), overrides));

/** What is left of batches under the blob store's `batches/`. */
const batchBlobs = (): string[] => (existsSync(join(storage.dir, 'batches')) ? readdirSync(join(storage.dir, 'batches'), { recursive: true, encoding: 'utf8' }) : []);

const errorsOf = (batch: BatchRecord): [number | null, string | null, string | null][] =>
  (batch.openai?.errors ?? []).map((error) => [error.line, error.code, error.param]);

test('a chat file becomes a pending generate batch of native lines keyed by custom_id, cut into shards', async () => {
  const batch = await submit([chatLine('a'), '', chatLine('b'), chatLine('c')].join('\n'), { metadata: { description: 'nightly', team: 'x' } });
  assert.deepEqual([batch.state, batch.kind, batch.model, batch.requestCount, batch.displayName, batch.priority], ['BATCH_STATE_PENDING', 'generate', 'gemini-2.5-flash', 3, 'nightly', 0]);
  assert.deepEqual(batch.openai, { endpoint: '/v1/chat/completions', completionWindow: '24h', metadata: { description: 'nightly', team: 'x' }, inputFileId: `files/${batch.inputFileId}`, errors: undefined });
  assert.equal(batch.deadlineMs, clock.now() + 86_400_000);
  const native = (await readText(storage.blobs, batch.inputBlobKey)).trimEnd().split('\n').map((line) => JSON.parse(line) as { key: string; request: { contents: unknown[] } });
  assert.deepEqual(native.map((line) => line.key), ['a', 'b', 'c']);
  assert.deepEqual(native[1]?.request.contents, [{ role: 'user', parts: [{ text: 'b' }] }]);
  const shards = await storage.store.shards.listForBatch(batch.id);
  assert.deepEqual(shards.map((shard) => [shard.firstRequest, shard.requestCount]), [[0, 2], [2, 1]]);
  assert.deepEqual(await storage.store.batches.get(TENANT, batch.id), batch);
  assert.deepEqual(await storage.store.webhookEvents.listPending(10), [], 'no event while it runs');
});

test("the lines' shared service_tier sets the batch priority (flex -1, priority 1); mixed tiers leave 0", async () => {
  const tiered = (id: string, tier: string): string =>
    JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: id }], service_tier: tier } });
  const flex = await submit([tiered('a', 'flex'), tiered('b', 'flex')].join('\n'));
  assert.equal(flex.priority, -1);
  const native = JSON.parse((await readText(storage.blobs, flex.inputBlobKey)).split('\n')[0] ?? '') as { request: { serviceTier?: string } };
  assert.equal(native.request.serviceTier, 'flex');
  assert.equal((await submit([tiered('a', 'priority'), tiered('b', 'priority')].join('\n'))).priority, 1);
  assert.equal((await submit([tiered('a', 'flex'), tiered('b', 'default')].join('\n'))).priority, 0);
  assert.equal((await submit([tiered('a', 'auto'), tiered('b', 'auto')].join('\n'))).priority, 0);
});

test('an embeddings file becomes an embed batch', async () => {
  const line = (id: string): string => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1beta/openai/embeddings', body: { model: 'gemini-embedding-001', input: id, dimensions: 8 } });
  const batch = await submit([line('x'), line('y')].join('\n'), { endpoint: '/v1/embeddings' });
  assert.deepEqual([batch.state, batch.kind, batch.model, batch.requestCount, batch.displayName], ['BATCH_STATE_PENDING', 'embed', 'gemini-embedding-001', 2, '']);
  const first = JSON.parse((await readText(storage.blobs, batch.inputBlobKey)).split('\n')[0] ?? '') as { key: string; request: { outputDimensionality?: number } };
  assert.deepEqual([first.key, first.request.outputDimensionality], ['x', 8]);
});

test('bad lines make a batch FAILED from the start, with every line error and nothing kept', async () => {
  const text = [
    chatLine('a'), '{not json', chatLine('b', 'b', { url: '/v1/embeddings' }), chatLine('c', 'c', { method: 'GET' }),
    chatLine('a', 'again'), chatLine('d', 'd', {}, 'gemini-2.5-pro'), JSON.stringify({ custom_id: 'e', method: 'POST', url: '/v1/chat/completions', body: { model: 'gemini-2.5-flash' } }),
  ].join('\n');
  const batch = await submit(text);
  assert.deepEqual([batch.state, batch.requestCount, batch.resultsBlobKey, batch.endTimeMs], ['BATCH_STATE_FAILED', 0, undefined, clock.now()]);
  assert.deepEqual(errorsOf(batch), [
    [2, 'invalid_json', null],
    [3, 'invalid_url', 'url'],
    [4, 'invalid_method', 'method'],
    [5, 'duplicate_custom_id', 'custom_id'],
    [6, 'mismatched_model', 'body.model'],
    [7, 'missing_required_parameter', 'body.messages'],
  ]);
  assert.equal(batch.error?.status, 'INVALID_ARGUMENT');
  assert.match(batch.error?.message ?? '', /^The input file has 6 invalid lines; the first: line 2: /);
  assert.deepEqual(await storage.store.shards.listForBatch(batch.id), []);
  assert.deepEqual(batchBlobs(), [], 'the partial input copy is removed');
  assert.deepEqual(await storage.store.batches.get(TENANT, batch.id), batch);
  const [event] = await storage.store.webhookEvents.listPending(10);
  assert.deepEqual([event?.type, event?.data.id, event?.data.error_code], ['batch.failed', `batches/${batch.id}`, 3]);
});

test('a model not served, or not for the endpoint, is model_not_found on each line naming it', async () => {
  const unknown = await submit([chatLine('a', 'a', {}, 'no-such-model'), chatLine('b', 'b', {}, 'no-such-model')].join('\n'));
  assert.deepEqual(errorsOf(unknown), [[1, 'model_not_found', 'body.model'], [2, 'model_not_found', 'body.model']]);
  assert.equal(unknown.model, 'no-such-model');
  const embedding = await submit(chatLine('a', 'a', {}, 'gemini-embedding-001'));
  assert.deepEqual([embedding.state, ...errorsOf(embedding)], ['BATCH_STATE_FAILED', [1, 'model_not_found', 'body.model']]);
  assert.match(embedding.error?.message ?? '', /^The input file has 1 invalid line; the first: line 1: .*does not support/);
});

test('an empty file is a failed batch: empty_file', async () => {
  const batch = await submit('\n  \n');
  assert.deepEqual([batch.state, batch.model, ...errorsOf(batch)], ['BATCH_STATE_FAILED', '', [null, 'empty_file', null]]);
  assert.equal(batch.error?.message, 'The input file has no requests: it is empty.');
});

test('at most 100 line errors are kept; the error counts them all', async () => {
  const batch = await submit(Array.from({ length: 130 }, () => '[]').join('\n'));
  assert.equal(batch.openai?.errors?.length, 100);
  assert.match(batch.error?.message ?? '', /^The input file has 130 invalid lines; the first: line 1: /);
});

test('a missing, expired or foreign input file fails the create itself', async () => {
  const submitter = testOpenAISubmitter(storage.store, storage.blobs, clock, 2);
  const refusal = async (input: SubmitOpenAIBatchInput): Promise<string> => {
    const error = await submitter(input).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof AppError);
    return error.status;
  };
  assert.equal(await refusal(openAIBatchInput('nope')), 'PERMISSION_DENIED');
  const fileId = await uploadText(storage.store, storage.blobs, clock, chatLine('a'));
  assert.equal(await refusal(openAIBatchInput(fileId, { tenantId: 'someone-else' })), 'PERMISSION_DENIED');
  clock.advance(3_600_000);
  assert.equal(await refusal(openAIBatchInput(fileId)), 'PERMISSION_DENIED');
  assert.deepEqual(await storage.store.batches.list(TENANT, { limit: 10 }), []);
});

test('an Idempotency-Key replays the same create and refuses a different one', async () => {
  const submitter = testOpenAISubmitter(storage.store, storage.blobs, clock, 2);
  const fileId = await uploadText(storage.store, storage.blobs, clock, chatLine('a'));
  const first = await submitter(openAIBatchInput(fileId, { idempotencyKey: 'k1' }));
  assert.equal((await submitter(openAIBatchInput(fileId, { idempotencyKey: 'k1' }))).id, first.id);
  const other = await submitter(openAIBatchInput(fileId, { idempotencyKey: 'k1', metadata: { a: 'b' } })).then(() => undefined, (caught: unknown) => caught);
  assert.ok(other instanceof AppError && other.status === 'ALREADY_EXISTS');
  assert.equal((await storage.store.batches.list(TENANT, { limit: 10 })).length, 1);
  assert.deepEqual(readdirSync(join(storage.dir, 'batches')), [first.id], 'no second input copy');
});

test('a file larger than one write chunk: every shard byte range holds exactly its native lines', async () => {
  const lines = Array.from({ length: 3_000 }, (_, index) => chatLine(`id-${index}`, `${index} ${'x'.repeat(500)}`));
  const batch = await submit(lines.join('\n'), {}, 1_000);
  assert.equal(batch.requestCount, 3_000);
  const input = Buffer.from(await readText(storage.blobs, batch.inputBlobKey));
  assert.ok(input.length > 1024 * 1024);
  for (const shard of await storage.store.shards.listForBatch(batch.id)) {
    const keys = input.subarray(shard.byteStart, shard.byteEnd).toString().trimEnd().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
    assert.deepEqual(keys, Array.from({ length: shard.requestCount }, (_, index) => `id-${shard.firstRequest + index}`));
  }
});

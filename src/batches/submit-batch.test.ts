// Submit: the input is cut into shards at the shard size, each shard's byte range holds exactly
// its lines (blank lines skipped), and a bad input is refused whole with its line numbers.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BatchRecord } from '../core/batch.js';
import { batchPrefix } from '../core/blob-keys.js';
import { AppError } from '../core/errors.js';
import { createBackendRegistry } from '../backends/registry.js';
import { createSimulatedBackend } from '../backends/simulated/simulated-backend.js';
import { randomId } from '../lib/ids.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { createLineCheckPool } from './line-check-pool.js';
import { createBatchSubmitter } from './submit-batch.js';
import { batchInput, manualClock, prompts, readText, TENANT, testSubmitter, uploadText } from './testing/batch-fixture.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-submit-');

const line = (key: string, text = key): string => JSON.stringify({ key, request: { contents: [{ parts: [{ text }] }] } });
const submitFile = async (text: string, shardSize = 2): Promise<BatchRecord> =>
  testSubmitter(storage.store, storage.blobs, clock, shardSize)(batchInput({ kind: 'file', fileId: await uploadText(storage.store, storage.blobs, clock, text) }));

/** Each shard as [firstRequest, requestCount, the keys or metadata found in its byte range]. */
async function shardContents(batch: BatchRecord): Promise<[number, number, unknown[]][]> {
  const input = Buffer.from(await readText(storage.blobs, batch.inputBlobKey));
  return (await storage.store.shards.listForBatch(batch.id)).map((shard) => {
    const lines = input.subarray(shard.byteStart, shard.byteEnd).toString().split('\n').filter((text) => text.trim() !== '');
    const ids = lines.map((text) => {
      const parsed = JSON.parse(text) as { key?: string; metadata?: { i: number } };
      return parsed.key ?? parsed.metadata?.i;
    });
    return [shard.firstRequest, shard.requestCount, ids];
  });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof AppError, `expected a refusal, got ${String(error)}`);
  assert.equal(error.status, 'INVALID_ARGUMENT');
  return error.message;
}

test('an inline batch is cut into shards at the shard size', async () => {
  const batch = await testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests: prompts(5) }));
  assert.deepEqual([batch.state, batch.requestCount, batch.inputKind, batch.createTimeMs], ['BATCH_STATE_PENDING', 5, 'inline', clock.now()]);
  assert.deepEqual(await shardContents(batch), [[0, 2, [0, 1]], [2, 2, [2, 3]], [4, 1, [4]]]);
  const stored = await storage.store.batches.get(TENANT, batch.id);
  assert.deepEqual([stored?.id, stored?.requestCount, stored?.inputBlobKey], [batch.id, 5, batch.inputBlobKey]);
});

test('a file batch exactly filling its shards gets no empty shard', async () => {
  const batch = await submitFile(['a', 'b', 'c', 'd'].map((key) => line(key)).join('\n'));
  assert.deepEqual(await shardContents(batch), [[0, 2, ['a', 'b']], [2, 2, ['c', 'd']]]);
});

test('blank lines are skipped, and shard byte ranges still hold exactly their requests', async () => {
  const batch = await submitFile(`\n${line('a')}\n\n   \n${line('b')}\r\n${line('c')}\n\n${line('d')}`, 3);
  assert.equal(batch.requestCount, 4);
  assert.deepEqual(await shardContents(batch), [[0, 3, ['a', 'b', 'c']], [3, 1, ['d']]]);
});

test('duplicate keys are refused with the line of each repeat and of its first use', async () => {
  const message = await refusal(submitFile([line('a'), line('b'), '', line('a', 'again'), line('c'), line('b')].join('\n')));
  assert.equal(message, [
    "Error on line 4: duplicate key 'a' (first used on line 1)",
    "Error on line 6: duplicate key 'b' (first used on line 2)",
  ].join('\n'));
});

test('bad lines are refused together, by physical line number, and nothing is kept', async () => {
  const message = await refusal(submitFile([line('a'), '', '{not json', line('b'), '{"key":"c"}'].join('\n')));
  const numbers = [...message.matchAll(/^Error on line (\d+):/gm)].map((match) => Number(match[1]));
  assert.deepEqual(numbers, [3, 5]);
  assert.deepEqual(await storage.store.batches.list(TENANT, { limit: 10 }), []);
});

test('an input with no requests is refused, and its copy removed', async () => {
  const fileId = await uploadText(storage.store, storage.blobs, clock, '\n  \n');
  const message = await refusal(testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'file', fileId })));
  assert.match(message, /no requests/);
  assert.deepEqual(await storage.store.batches.list(TENANT, { limit: 10 }), []);
  assert.deepEqual(existsSync(join(storage.dir, 'batches')) ? readdirSync(join(storage.dir, 'batches')) : [], []);
});

test('an invalid inline request is refused by its index', async () => {
  const requests = [...prompts(2), { request: { contents: 'nope' } }];
  assert.match(await refusal(testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests }))), /requests\[2\]/);
});

test('the same Idempotency-Key gets the same batch, and a second input copy is not kept', async () => {
  const submit = testSubmitter(storage.store, storage.blobs, clock, 2);
  const input = { ...batchInput({ kind: 'inline', requests: prompts(3) }), idempotencyKey: 'k1' };
  const first = await submit(input);
  assert.equal((await submit(input)).id, first.id);
  assert.equal((await storage.store.batches.list(TENANT, { limit: 10 })).length, 1);
  assert.deepEqual(readdirSync(join(storage.dir, 'batches')).map((id) => batchPrefix(id)), [batchPrefix(first.id)]);
});

test('without an explicit priority, the serviceTier the requests share becomes the batch priority', async () => {
  const submit = testSubmitter(storage.store, storage.blobs, clock, 2);
  const tiered = (...tiers: (string | undefined)[]) => tiers.map((serviceTier, i) => ({ request: { contents: [{ parts: [{ text: `t${i}` }] }], ...(serviceTier ? { serviceTier } : {}) } }));
  const priorityOf = async (requests: unknown[], priority?: number): Promise<number> =>
    (await submit({ ...batchInput({ kind: 'inline', requests }), priority })).priority;
  assert.equal(await priorityOf(tiered('flex', 'FLEX')), -1);
  assert.equal(await priorityOf(tiered('priority', 'SERVICE_TIER_PRIORITY')), 1);
  assert.equal(await priorityOf(tiered('standard')), 0);
  assert.equal(await priorityOf(tiered('flex', 'priority')), 0, 'mixed tiers: no mapping');
  assert.equal(await priorityOf(tiered('flex', undefined)), 0, 'a request without a tier: no mapping');
  assert.equal(await priorityOf(tiered('flex'), 5), 5, 'an explicit priority wins');
  const file = await submitFile([0, 1].map((i) => JSON.stringify({ key: `p${i}`, request: { contents: [{ parts: [{ text: 'x' }] }], serviceTier: 'priority' } })).join('\n'));
  assert.equal(file.priority, 0, 'batchInput gives priority 0 explicitly');
  const unset = await submit({ ...batchInput({ kind: 'file', fileId: await uploadText(storage.store, storage.blobs, clock, JSON.stringify({ key: 'q', request: { contents: [{ parts: [{ text: 'x' }] }], serviceTier: 'priority' } })) }), priority: undefined });
  assert.equal(unset.priority, 1);
  assert.equal((await storage.store.batches.get(TENANT, unset.id))?.priority, 1);
});

/** Every file under the blob store's root, as paths relative to it. */
function blobFiles(dir: string, under = ''): string[] {
  const here = join(dir, under);
  if (!existsSync(here)) return [];
  return readdirSync(here, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? blobFiles(dir, join(under, entry.name)) : [join(under, entry.name)]).sort();
}

/** The real submitter over a priced route (`gemini-*`: $1 per million input tokens, half off in batch). */
const pricedSubmitter = (quotas?: Parameters<typeof createBatchSubmitter>[0]['quotas']) => createBatchSubmitter({
  store: storage.store, blobs: storage.blobs, clock, randomId, shardSize: 2, completionWindowMs: 3_600_000,
  registry: createBackendRegistry([{ name: 'gemini-*', backend: createSimulatedBackend(), limits: { maxConcurrency: 1 },
    pricing: { inputPerMillion: 1, outputPerMillion: 4, batchDiscount: 0.5 } }]),
  ...(quotas ? { quotas } : {}),
});

test('validate of a good file counts its requests, estimates input tokens and cost, and creates nothing', async () => {
  // 40 characters a prompt: 10 input tokens each (the output allowance is not input).
  const text = ['a', 'b', '', 'c'].map((key) => (key ? line(key, 'x'.repeat(40)) : '')).join('\n');
  const fileId = await uploadText(storage.store, storage.blobs, clock, text);
  const before = blobFiles(storage.dir);
  const estimate = await pricedSubmitter().validate({ ...batchInput({ kind: 'file', fileId }), model: 'gemini-2.5-flash', idempotencyKey: 'v1' });
  assert.deepEqual(estimate, { model: 'gemini-2.5-flash', requestCount: 3, estimatedInputTokens: 30, estimatedInputCostUsd: 0.000015 });
  assert.deepEqual(await storage.store.batches.list(TENANT, { limit: 10 }), []);
  assert.deepEqual(blobFiles(storage.dir), before, 'no copy, no shards, no caches blob');
  assert.equal(await storage.store.batches.findByIdempotencyKey(TENANT, 'v1'), undefined);
  // Inline requests: counted, not written; a model without pricing gets no cost.
  const inline = testSubmitter(storage.store, storage.blobs, clock, 2) as ReturnType<typeof createBatchSubmitter>;
  const unpriced = await inline.validate(batchInput({ kind: 'inline', requests: prompts(4) }));
  assert.deepEqual(unpriced, { model: 'gemini-test', requestCount: 4, estimatedInputTokens: 8 });
  assert.deepEqual(blobFiles(storage.dir), before);
});

test('validate of a bad file gives the line errors the create gives, and creates nothing', async () => {
  const fileId = await uploadText(storage.store, storage.blobs, clock, [line('a'), '{not json', line('a'), '{"key":"c"}'].join('\n'));
  const before = blobFiles(storage.dir);
  const submit = pricedSubmitter();
  const input = { ...batchInput({ kind: 'file', fileId }), model: 'gemini-2.5-flash' };
  const message = await refusal(submit.validate(input));
  assert.deepEqual([...message.matchAll(/^Error on line (\d+):/gm)].map((match) => Number(match[1])), [2, 4]);
  assert.equal(message, await refusal(submit(input)), 'the same 400 as the create');
  assert.deepEqual(await storage.store.batches.list(TENANT, { limit: 10 }), []);
  assert.deepEqual(blobFiles(storage.dir), before);
  // Duplicate keys, a model that does not embed, a missing file, the requests-per-batch quota: refused as a create would be.
  const duplicated = await uploadText(storage.store, storage.blobs, clock, [line('a'), line('a')].join('\n'));
  assert.match(await refusal(submit.validate({ ...input, source: { kind: 'file', fileId: duplicated } })), /line 2: duplicate key 'a'/);
  assert.match(await refusal(submit.validate({ ...input, kind: 'embed' })), /does not support asyncBatchEmbedContent/);
  await assert.rejects(submit.validate({ ...input, source: { kind: 'file', fileId: 'missing' } }), (error: AppError) => error.status === 'PERMISSION_DENIED');
  const small = pricedSubmitter({ default: { requestsPerBatch: 1 }, tenants: {} });
  const two = await uploadText(storage.store, storage.blobs, clock, [line('a'), line('b')].join('\n'));
  await assert.rejects(small.validate({ ...input, source: { kind: 'file', fileId: two } }), (error: AppError) => error.status === 'RESOURCE_EXHAUSTED');
  assert.deepEqual(await storage.store.batches.list(TENANT, { limit: 10 }), []);
});

test('with the thread threshold lowered, a small file is checked on line-check threads with the same answers', async () => {
  const pool = createLineCheckPool({ size: 2 });
  let chunks = 0;
  const counted = { size: pool.size, close: () => pool.close(), check: (...args: Parameters<typeof pool.check>) => (chunks++, pool.check(...args)) };
  try {
    const threaded = createBatchSubmitter({
      store: storage.store, blobs: storage.blobs, registry: createBackendRegistry([{ name: '*', backend: createSimulatedBackend(), limits: { maxConcurrency: 1 } }]),
      clock, randomId, shardSize: 2, completionWindowMs: 3_600_000, lineChecks: { pool: counted, threadMinBytes: 0, chunkBytes: 40 },
    });
    const plain = testSubmitter(storage.store, storage.blobs, clock, 2) as typeof threaded;
    const good = await uploadText(storage.store, storage.blobs, clock, `\n${line('a')}\n\n   \n${line('b')}\r\n${line('c')}\n\n${line('d')}`);
    const batch = await threaded(batchInput({ kind: 'file', fileId: good }));
    assert.deepEqual(await shardContents(batch), [[0, 2, ['a', 'b']], [2, 2, ['c', 'd']]]);
    assert.deepEqual(await threaded.validate(batchInput({ kind: 'file', fileId: good })), await plain.validate(batchInput({ kind: 'file', fileId: good })));
    const bad = await uploadText(storage.store, storage.blobs, clock, [line('a'), '{not json', line('b'), line('a'), '{"key":"c"}'].join('\n'));
    const message = await refusal(threaded(batchInput({ kind: 'file', fileId: bad })));
    assert.deepEqual([...message.matchAll(/^Error on line (\d+):/gm)].map((match) => Number(match[1])), [2, 5]);
    assert.equal(message, await refusal(plain(batchInput({ kind: 'file', fileId: bad }))));
    const duplicated = await uploadText(storage.store, storage.blobs, clock, [line('a'), line('b'), line('a')].join('\n'));
    assert.equal(await refusal(threaded(batchInput({ kind: 'file', fileId: duplicated }))), "Error on line 3: duplicate key 'a' (first used on line 1)");
    assert.ok(chunks >= 8, `the files went to the threads in chunks (${chunks})`);
  } finally {
    await pool.close();
  }
});

// The client's retry policy over real HTTP, through a flaky proxy to a real server: reads go on
// through 503s, 429s and dropped connections, telling onRetry each time and honouring
// Retry-After; a create is tried again only with an Idempotency-Key (and then finds the batch
// the lost answer was about); an answer that is not transient (400, 404) is never tried again;
// retryForMs bounds the retrying, and 0 turns it off.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ApiError } from './api-error.js';
import { startProxiedServer, type ProxiedServer } from './testing/proxied-server.js';

const MODEL = 'gemini-2.5-flash';
const requests = (count: number): unknown[] =>
  Array.from({ length: count }, (_, i) => ({ request: { contents: [{ parts: [{ text: `prompt ${i}` }] }] }, metadata: { i } }));

let env: ProxiedServer;
before(async () => {
  env = await startProxiedServer({ workers: 'false' });
});
after(() => env.close());
beforeEach(() => env.reset());

const creates = (): number => env.proxy.seen.log.filter((entry) => entry.url.includes(':batchGenerateContent')).length;
async function allBatches(): Promise<string[]> {
  return (await env.direct.listBatches(100)).items.map((operation) => operation.name);
}

describe('retrying reads', () => {
  test('get and progress go on through 503s, a 429 and dropped connections, with a notice before each retry', async () => {
    const { name } = await env.direct.createBatch(MODEL, { requests: requests(2) });
    env.proxy.failNext(2, 503);
    env.proxy.failNext(1, 'drop');
    env.proxy.failNext(1, 429);
    assert.equal((await env.client.getBatch(name)).name, name);
    assert.deepEqual(env.notices.map((notice) => [notice.what, notice.attempt]), [['batches.get', 2], ['batches.get', 3], ['batches.get', 4], ['batches.get', 5]]);
    assert.deepEqual(env.notices.map((notice) => notice.reason.replace(/\(.*\)/, '(…)')), ['503 UNAVAILABLE', '503 UNAVAILABLE', 'cannot reach ' + env.proxy.url + ' (…)', '429 RESOURCE_EXHAUSTED']);
    assert.deepEqual([env.proxy.seen.requests, env.proxy.seen.failures], [5, 4]);

    env.reset();
    env.proxy.failFor(150, 'drop');
    const progress = await env.client.getProgress(name);
    assert.equal(progress.name, name);
    assert.equal(progress.requestCount, '2');
    assert.equal(progress.pendingReason, 'NO_WORKERS');
    assert.ok(env.notices.length >= 1 && env.notices.every((notice) => notice.what === 'batches.progress'), JSON.stringify(env.notices));

    env.reset();
    env.proxy.failNext(1, 'drop-response', { afterBytes: 10 });
    assert.equal((await env.client.listBatches()).items.some((operation) => operation.name === name), true, 'an answer cut mid-body is read again');
    assert.equal(env.notices.length, 1);
  });

  test('Retry-After is honoured', async () => {
    env.proxy.failNext(1, 503, { retryAfter: '1' });
    const started = Date.now();
    await env.client.listModels();
    assert.ok(Date.now() - started >= 1000, `waited ${Date.now() - started} ms`);
    assert.deepEqual(env.notices.map((notice) => notice.delayMs), [1000]);
  });

  test('retryForMs: 0 fails at once; a short retryForMs gives up when it is over', async () => {
    const once = env.clientWith({ retryForMs: 0 });
    env.proxy.failNext(1, 503);
    await assert.rejects(once.listModels(), (error: ApiError) => error.httpStatus === 503);
    assert.deepEqual([env.proxy.seen.requests, env.notices.length], [1, 0]);

    env.reset();
    const brief = env.clientWith({ retryForMs: 300 });
    env.proxy.failFor(5_000, 503);
    const started = Date.now();
    await assert.rejects(brief.listModels(), (error: ApiError) => error.httpStatus === 503 && /gave up after \d+ tries/.test(error.message));
    assert.ok(Date.now() - started < 1_500, `gave up after ${Date.now() - started} ms`);
    assert.ok(env.proxy.seen.requests >= 2);
  });

  test('an answer that is not transient is never tried again', async () => {
    await assert.rejects(env.client.getBatch('batches/nosuchbatch'), (error: ApiError) => error.httpStatus === 404);
    env.proxy.failNext(1, 400);
    await assert.rejects(env.client.listFiles(), (error: ApiError) => error.httpStatus === 400);
    const bad = await env.client.validateBatch(MODEL, { requests: [{ request: { contents: 'nope' } }] }).then(() => undefined, (error: unknown) => error);
    assert.ok(bad instanceof ApiError && bad.httpStatus === 400, String(bad));
    assert.match(bad.message, /requests\[0\]/);
    assert.deepEqual([env.proxy.seen.requests, env.notices.length], [3, 0]);
  });
});

describe('creating a batch', () => {
  test('with an Idempotency-Key, a create whose answer was lost after the server made the batch finds that batch', async () => {
    const before = await allBatches();
    env.proxy.failNext(1, 'drop-response', { when: (request) => request.url.includes(':batchGenerateContent') });
    const created = await env.client.createBatch(MODEL, { requests: requests(3) }, { idempotencyKey: 'client-test-run-1', displayName: 'kept', priority: 2 });
    const added = (await allBatches()).filter((name) => !before.includes(name));
    assert.deepEqual(added, [created.name], 'one batch, the one the first try made');
    assert.equal(creates(), 2);
    assert.deepEqual(env.proxy.seen.log.map((entry) => entry.idempotencyKey), ['client-test-run-1', 'client-test-run-1']);
    assert.deepEqual(env.notices.map((notice) => notice.what), ['batches.create']);
    const stored = await env.direct.getBatch(created.name);
    assert.deepEqual([stored.metadata?.displayName, stored.metadata?.priority], ['kept', '2']);
  });

  test('without a key a create is not tried again (it may have been made)', async () => {
    const before = await allBatches();
    env.proxy.failNext(1, 'drop-response', { when: (request) => request.url.includes(':batchGenerateContent') });
    await assert.rejects(env.client.createBatch(MODEL, { requests: requests(1) }), (error: ApiError) => error.httpStatus === 0);
    assert.deepEqual([creates(), env.notices.length], [1, 0]);
    assert.equal((await allBatches()).filter((name) => !before.includes(name)).length, 1, 'the server did make it');
  });

  test('a completion window and the embed kind reach the server', async () => {
    const created = await env.client.createBatch('gemini-embedding-001', { requests: [{ request: { content: { parts: [{ text: 'x' }] } } }] }, { kind: 'embed', completionWindowSeconds: 120 });
    const progress = await env.client.getProgress(created.name);
    assert.equal(Date.parse(progress.deadline) - Date.parse(progress.createTime), 120_000);
    assert.match(env.proxy.seen.log[0]?.url ?? '', /:asyncBatchEmbedContent$/);
  });
});

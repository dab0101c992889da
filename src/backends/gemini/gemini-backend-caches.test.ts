// Tests of the Gemini backend's upstream copies of batchmode's caches (upstream-caches.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCachedPrefix } from '../../core/apply-cached-prefix.js';
import type { CachedContentRecord } from '../../core/cached-content.js';
import type { GenerateContentRequest } from '../../core/gemini-types.js';
import type { CallOptions } from '../backend.js';
import { FakeCacheError } from '../../../test/fixtures/gemini/fake-gemini-caches.js';
import { collect, failure } from '../testing/backend-test-kit.js';
import { MODEL, useFakeGemini } from './testing/gemini-test-kit.js';

const gemini = useFakeGemini();
const { backendFor } = gemini;

const DOCUMENT = 'The quick brown fox jumps over the lazy dog. '.repeat(120);

function localCache(id: string, overrides: Partial<CachedContentRecord> = {}): CachedContentRecord {
  return {
    id, tenantId: 'tenant-a', model: MODEL, displayName: '', totalTokenCount: 1400,
    prefix: { systemInstruction: { parts: [{ text: 'Answer from the document.' }] }, contents: [{ role: 'user', parts: [{ text: DOCUMENT }] }] },
    createTimeMs: Date.now(), updateTimeMs: Date.now(), expireTimeMs: Date.now() + 3_600_000, ...overrides,
  };
}

/** What the engine hands a backend for a request naming `cache`: the prefix applied, and the cache. */
function cachedCall(cache: CachedContentRecord, question: string, signal = new AbortController().signal): [GenerateContentRequest, CallOptions] {
  const original: GenerateContentRequest = { contents: [{ role: 'user', parts: [{ text: question }] }], cachedContent: `cachedContents/${cache.id}` };
  return [applyCachedPrefix(original, cache, MODEL), { model: MODEL, signal, cache: { record: cache, original } }];
}

const bodiesAt = (path: string): Record<string, unknown>[] =>
  gemini.fake.received.filter((received) => received.path === path).map((received) => received.body as Record<string, unknown>);

test('the first call creates the cache upstream once; every call sends the upstream name and the question only', async () => {
  const backend = backendFor();
  const cache = localCache('cache-one');
  const before = gemini.fake.received.length;
  const answers = await Promise.all(['q1', 'q2', 'q3'].map((question) => backend.generateContent(...cachedCall(cache, question))));
  const sent = gemini.fake.received.slice(before);
  const creates = sent.filter((received) => received.path === '/v1beta/cachedContents');
  assert.equal(creates.length, 1, 'concurrent first calls share one creation');
  const created = creates[0]!.body as Record<string, unknown>;
  assert.equal(created.model, `models/${MODEL}`);
  assert.deepEqual(created.systemInstruction, cache.prefix.systemInstruction);
  assert.deepEqual(created.contents, cache.prefix.contents);
  assert.match(String(created.ttl), /^\d+s$/);
  const generates = sent.filter((received) => received.method === 'generateContent');
  assert.equal(generates.length, 3);
  for (const [index, received] of generates.entries()) {
    assert.equal(received.rejected, undefined);
    const body = received.body as GenerateContentRequest;
    assert.match(String(body.cachedContent), /^cachedContents\/fake\d+$/);
    assert.equal(body.systemInstruction, undefined, 'the prefix is not written out');
    assert.equal(body.contents.length, 1);
    assert.ok(['q1', 'q2', 'q3'].includes(String(body.contents[0]!.parts![0]!.text)), `call ${index}`);
  }
  assert.equal(backend.upstreamCachesCreated, 1);
  for (const answer of answers) assert.ok((answer.usageMetadata?.cachedContentTokenCount ?? 0) > 1000, 'the upstream count of cached tokens');
});

test('streaming and countTokens use the same upstream copy', async () => {
  const backend = backendFor();
  const cache = localCache('cache-two');
  await backend.generateContent(...cachedCall(cache, 'first'));
  const chunks = await collect(backend.streamGenerateContent!(...cachedCall(cache, 'streamed')));
  assert.ok(chunks.some((chunk) => (chunk.usageMetadata?.cachedContentTokenCount ?? 0) > 0));
  const streamed = gemini.fake.received.at(-1)!;
  assert.equal(streamed.rejected, undefined);
  await backend.countTokens!(...cachedCall(cache, 'counted'));
  const counted = gemini.fake.received.at(-1)!;
  assert.equal(counted.rejected, undefined);
  const inner = (counted.body as { generateContentRequest: GenerateContentRequest }).generateContentRequest;
  assert.equal(inner.cachedContent, (streamed.body as GenerateContentRequest).cachedContent);
  assert.equal(backend.upstreamCachesCreated, 1);
});

test('an upstream copy that lapsed is created again and the call goes through', async () => {
  const backend = backendFor();
  const cache = localCache('cache-three');
  await backend.generateContent(...cachedCall(cache, 'before'));
  gemini.fake.caches.expireAll();
  const answer = await backend.generateContent(...cachedCall(cache, 'after'));
  assert.ok(answer.candidates);
  assert.equal(backend.upstreamCachesCreated, 2);
  const [refused, retried] = gemini.fake.received.filter((received) => received.method === 'generateContent').slice(-2);
  assert.match(String(refused!.rejected), /CachedContent not found/);
  assert.equal(retried!.rejected, undefined);
  assert.notEqual((retried!.body as GenerateContentRequest).cachedContent, (refused!.body as GenerateContentRequest).cachedContent);
});

test('a cache too small for the upstream is sent inline, with its prefix written out, and not asked for again', async () => {
  const backend = backendFor();
  const cache = localCache('cache-small', { prefix: { systemInstruction: { parts: [{ text: 'Be brief.' }] } } });
  const creates = bodiesAt('/v1beta/cachedContents').length;
  await backend.generateContent(...cachedCall(cache, 'one'));
  await backend.generateContent(...cachedCall(cache, 'two'));
  assert.equal(bodiesAt('/v1beta/cachedContents').length, creates + 1, 'refused once, remembered');
  const body = gemini.fake.received.at(-1)!.body as GenerateContentRequest;
  assert.equal(body.cachedContent, undefined);
  assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
  assert.equal(backend.upstreamCachesCreated, 0);
});

test('a copy lives at least ten minutes upstream, even for a cache frozen with a batch after it expired here', async () => {
  const backend = backendFor();
  await backend.generateContent(...cachedCall(localCache('cache-frozen', { expireTimeMs: Date.now() - 60_000 }), 'late'));
  const created = bodiesAt('/v1beta/cachedContents').at(-1)!;
  assert.equal(created.ttl, '600s');
});

test('a transient failure to create the copy is retryable and not remembered', async () => {
  const backend = backendFor();
  const cache = localCache('cache-flaky');
  gemini.fake.caches.failNextCreate = new FakeCacheError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
  const error = await failure(backend.generateContent(...cachedCall(cache, 'q')));
  assert.equal(error.status, 'UNAVAILABLE');
  assert.equal(error.retryable, true);
  assert.equal(backend.upstreamCachesCreated, 0);
  const answer = await backend.generateContent(...cachedCall(cache, 'q'));
  assert.ok((answer.usageMetadata?.cachedContentTokenCount ?? 0) > 0);
  assert.equal(backend.upstreamCachesCreated, 1);
});

test('a caller that gives up stops waiting for the creation without failing the others', async () => {
  const backend = backendFor();
  const cache = localCache('cache-abort');
  const controller = new AbortController();
  const [request, options] = cachedCall(cache, 'gives up', controller.signal);
  const gaveUp = failure(backend.generateContent(request, options));
  controller.abort();
  assert.equal((await gaveUp).status, 'CANCELLED');
  const answer = await backend.generateContent(...cachedCall(cache, 'stays'));
  assert.ok(answer.candidates);
  assert.equal(backend.upstreamCachesCreated, 1);
});

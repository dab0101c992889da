/**
 * cachedContents through the official @google/genai SDK (pinned in package.json) against a
 * running deployment, embedded and scale-out (issue 16): caches.create/get/list/update/delete, and
 * generateContent, streaming and countTokens naming a cache, which answer as the same request
 * with the prefix written out (the simulated model is deterministic) and report the cached
 * tokens. Also the refusals: another tenant's, a deleted and an expired cache (403, as Gemini),
 * a model mismatch and a request that sets its own systemInstruction (400), bad input (400).
 */
import { ApiError, GoogleGenAI, type CachedContent } from '@google/genai';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { DEPLOYMENTS, type RunningDeployment } from '../support/deployments.js';

const KEY_A = 'caches-tenant-a';
const KEY_B = 'caches-tenant-b';
const MODEL = 'gemini-2.5-flash';
const SYSTEM = 'You answer questions about the attached handbook, briefly.';
const HANDBOOK = `The handbook. ${'Every employee waters the office plants on Fridays. '.repeat(40)}`;
const QUESTION = 'Who waters the plants?';

async function rejectsWith(promise: Promise<unknown>, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected ApiError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

for (const deployment of DEPLOYMENTS) describe(`cachedContents through @google/genai — ${deployment.name}`, () => {
  let server: RunningDeployment;
  let ai: GoogleGenAI;
  let aiB: GoogleGenAI;
  let cache: CachedContent;

  before(async () => {
    server = await deployment.start({ env: { BATCHMODE_API_KEYS: `${KEY_A},${KEY_B}` } });
    ai = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: server.url } });
    aiB = new GoogleGenAI({ apiKey: KEY_B, httpOptions: { baseUrl: server.url } });
    cache = await ai.caches.create({
      model: MODEL,
      config: { displayName: 'handbook', systemInstruction: SYSTEM, contents: [{ role: 'user', parts: [{ text: HANDBOOK }] }], ttl: '3600s' },
    });
  });
  after(() => server.stop());

  test('create answers the resource; get returns it', async () => {
    assert.match(cache.name ?? '', /^cachedContents\/[a-z0-9]{12}$/);
    assert.equal(cache.model, `models/${MODEL}`);
    assert.equal(cache.displayName, 'handbook');
    assert.ok((cache.usageMetadata?.totalTokenCount ?? 0) > HANDBOOK.length / 5, JSON.stringify(cache.usageMetadata));
    const created = Date.parse(cache.createTime ?? '');
    assert.equal(Date.parse(cache.expireTime ?? '') - created, 3_600_000);
    assert.equal(cache.updateTime, cache.createTime);
    assert.deepEqual(await ai.caches.get({ name: cache.name ?? '' }), cache);
  });

  test('list pages through every cache of the tenant, and only its own', async () => {
    const others = await Promise.all(['one', 'two'].map((displayName) =>
      ai.caches.create({ model: MODEL, config: { displayName, contents: [{ role: 'user', parts: [{ text: displayName }] }] } })));
    const own = await aiB.caches.create({ model: MODEL, config: { contents: [{ role: 'user', parts: [{ text: 'b' }] }] } });
    const names: string[] = [];
    for await (const item of await ai.caches.list({ config: { pageSize: 2 } })) names.push(item.name ?? '');
    assert.deepEqual(names.sort(), [cache.name, ...others.map((other) => other.name)].sort());
    const namesB: string[] = [];
    for await (const item of await aiB.caches.list()) namesB.push(item.name ?? '');
    assert.deepEqual(namesB, [own.name]);
    for (const other of others) await ai.caches.delete({ name: other.name ?? '' });
  });

  test('update moves the expiry by ttl or expireTime', async () => {
    const byTtl = await ai.caches.update({ name: cache.name ?? '', config: { ttl: '7200s' } });
    assert.ok(Date.parse(byTtl.expireTime ?? '') - Date.parse(byTtl.updateTime ?? '') === 7_200_000, JSON.stringify(byTtl));
    const at = new Date(Date.now() + 5 * 3_600_000).toISOString();
    const byTime = await ai.caches.update({ name: cache.name ?? '', config: { expireTime: at } });
    assert.equal(byTime.expireTime, at);
    assert.equal(byTime.createTime, cache.createTime);
  });

  test('generateContent and streaming with the cache answer as with the prefix written out, and report cached tokens', async () => {
    const cached = await ai.models.generateContent({ model: MODEL, contents: QUESTION, config: { cachedContent: cache.name ?? '' } });
    const explicit = await ai.models.generateContent({
      model: MODEL,
      contents: [{ role: 'user', parts: [{ text: HANDBOOK }] }, { role: 'user', parts: [{ text: QUESTION }] }],
      config: { systemInstruction: SYSTEM },
    });
    assert.ok(cached.text && cached.text.length > 0);
    assert.equal(cached.text, explicit.text);
    assert.equal(cached.usageMetadata?.promptTokenCount, explicit.usageMetadata?.promptTokenCount);
    assert.equal(cached.usageMetadata?.cachedContentTokenCount, cache.usageMetadata?.totalTokenCount);
    assert.equal(explicit.usageMetadata?.cachedContentTokenCount, undefined);

    let streamed = '';
    let streamedCached: number | undefined;
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: QUESTION, config: { cachedContent: cache.name ?? '' } })) {
      streamed += chunk.text ?? '';
      streamedCached = chunk.usageMetadata?.cachedContentTokenCount ?? streamedCached;
    }
    assert.equal(streamed, explicit.text);
    assert.equal(streamedCached, cache.usageMetadata?.totalTokenCount);
  });

  test('countTokens with the cache counts the prefix and says how much of it is cached', async () => {
    const count = async (body: unknown): Promise<{ totalTokens: number; cachedContentTokenCount?: number }> => {
      const response = await fetch(`${server.url}/v1beta/models/${MODEL}:countTokens`, {
        method: 'POST', headers: { 'x-goog-api-key': KEY_A, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      assert.equal(response.status, 200);
      return (await response.json()) as { totalTokens: number; cachedContentTokenCount?: number };
    };
    const question = [{ role: 'user', parts: [{ text: QUESTION }] }];
    const cached = await count({ generateContentRequest: { model: `models/${MODEL}`, contents: question, cachedContent: cache.name } });
    const explicit = await count({ contents: [{ role: 'user', parts: [{ text: HANDBOOK }] }, ...question], systemInstruction: { parts: [{ text: SYSTEM }] } });
    assert.deepEqual(cached, { totalTokens: explicit.totalTokens, cachedContentTokenCount: cache.usageMetadata?.totalTokenCount });
  });

  test('another tenant cannot see, use, update or delete the cache (403, as an unknown one)', async () => {
    const name = cache.name ?? '';
    await rejectsWith(aiB.caches.get({ name }), 403, /CachedContent not found/);
    await rejectsWith(aiB.caches.update({ name, config: { ttl: '60s' } }), 403);
    await rejectsWith(aiB.caches.delete({ name }), 403);
    await rejectsWith(aiB.models.generateContent({ model: MODEL, contents: QUESTION, config: { cachedContent: name } }), 403);
    await rejectsWith(ai.caches.get({ name: 'cachedContents/doesnotexist0' }), 403);
    assert.equal((await ai.caches.get({ name })).name, name, 'still there for its owner');
  });

  test('a request may not mix a cache with its own systemInstruction, nor name another model', async () => {
    const cachedContent = cache.name ?? '';
    await rejectsWith(ai.models.generateContent({ model: MODEL, contents: QUESTION, config: { cachedContent, systemInstruction: 'x' } }), 400, /system_instruction, tools or tool_config/);
    await rejectsWith(ai.models.generateContent({ model: 'gemini-2.5-pro', contents: QUESTION, config: { cachedContent } }), 400, /has to be the same/);
  });

  test('bad input is a 400 naming the field; an unknown model a 404', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'x' }] }];
    await rejectsWith(ai.caches.create({ model: MODEL, config: { contents, ttl: 'an hour' } }), 400, /ttl must be a duration/);
    await rejectsWith(ai.caches.create({ model: MODEL, config: { contents, expireTime: 'tomorrow' } }), 400, /expireTime must be an RFC 3339 timestamp/);
    await rejectsWith(ai.caches.create({ model: MODEL, config: { contents, expireTime: '2001-01-01T00:00:00Z' } }), 400, /expireTime must be in the future/);
    // The SDK drops fields it does not know, so these go raw.
    const create = async (body: unknown): Promise<{ status: number; message: string }> => {
      const response = await fetch(`${server.url}/v1beta/cachedContents`, {
        method: 'POST', headers: { 'x-goog-api-key': KEY_A, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: response.status, message: ((await response.json()) as { error?: { message: string } }).error?.message ?? '' };
    };
    const bad = await create({ model: MODEL, contents: [{ role: 'user', parts: [{ bogus: 1 }] }] });
    assert.equal(bad.status, 400);
    assert.match(bad.message, /contents\[0\]\.parts\[0\]/);
    assert.match((await create({ model: MODEL, contents, colour: 'red' })).message, /Unknown name "colour"/);
    assert.match((await create({ contents })).message, /missing required field 'model'/);
    assert.match((await create({ model: MODEL, contents, ttl: '60s', expire_time: '2099-01-01T00:00:00Z' })).message, /either ttl or expireTime/);
    assert.equal((await create({ model: MODEL, system_instruction: { parts: [{ text: 'snake_case works' }] } })).status, 200);
    await rejectsWith(ai.caches.create({ model: 'no-such-model', config: { contents } }), 404);
    await rejectsWith(ai.caches.update({ name: cache.name ?? '', config: {} }), 400, /Nothing to update/);
  });

  test('a deleted cache and an expired one are gone: 403 on get and on use', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'short-lived' }] }];
    const deleted = await ai.caches.create({ model: MODEL, config: { contents } });
    await ai.caches.delete({ name: deleted.name ?? '' });
    await rejectsWith(ai.caches.get({ name: deleted.name ?? '' }), 403);
    await rejectsWith(ai.models.generateContent({ model: MODEL, contents: QUESTION, config: { cachedContent: deleted.name ?? '' } }), 403);

    const expiring = await ai.caches.create({ model: MODEL, config: { contents, ttl: '0.3s' } });
    const status = async (): Promise<number> => {
      try {
        await ai.caches.get({ name: expiring.name ?? '' });
        return 200;
      } catch (error) {
        return error instanceof ApiError ? error.status : 0;
      }
    };
    assert.equal(await pollUntil(status, (code) => code !== 200, 10_000, 50, 'the cache to expire'), 403);
    await rejectsWith(ai.models.generateContent({ model: MODEL, contents: QUESTION, config: { cachedContent: expiring.name ?? '' } }), 403);
  });
});

/**
 * Batches naming caches (issue 16), through the official @google/genai SDK against `batchmode
 * serve`: inline and file requests with `cachedContent` are checked at create (an unknown, another
 * tenant's or another model's cache fails with the line or request it is on, and nothing is
 * created), and a batch created while its caches lived runs with their prefixes even after one
 * was deleted and another expired. The batch is created by a server without workers and run by
 * a second server on the same data directory started afterwards, so the order is certain.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY_A = 'caches-batch-a';
const KEY_B = 'caches-batch-b';
const MODEL = 'gemini-2.5-flash';
const SYSTEM = 'Answer from the manual.';
const MANUAL = `The manual. ${'Restart the router when the light blinks. '.repeat(30)}`;
const FAQ = `The FAQ. ${'Refunds take five days. '.repeat(30)}`;
const user = (text: string): { role: string; parts: { text: string }[] } => ({ role: 'user', parts: [{ text }] });

async function rejects400(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 400, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('batches naming caches', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-caches-batches-'));
  const dataDir = join(work, 'data');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('checked at create with the line; run with the frozen prefixes after delete and expiry', { timeout: 120_000 }, async () => {
    const env = { BATCHMODE_API_KEYS: `${KEY_A},${KEY_B}` };
    server = await startServerProcess({ dataDir, env: { ...env, BATCHMODE_WORKERS: 'false' } });
    let ai = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: server.url } });
    const aiB = new GoogleGenAI({ apiKey: KEY_B, httpOptions: { baseUrl: server.url } });
    const manual = await ai.caches.create({ model: MODEL, config: { systemInstruction: SYSTEM, contents: [user(MANUAL)] } });
    const faq = await ai.caches.create({ model: MODEL, config: { contents: [user(FAQ)], ttl: '3s' } });
    const foreign = await aiB.caches.create({ model: MODEL, config: { contents: [user('b')] } });
    const proCache = await ai.caches.create({ model: 'gemini-2.5-pro', config: { contents: [user('pro')] } });

    // Refused at create, naming the line (file) or the request (inline); nothing is created.
    const line = (key: string, text: string, cachedContent?: string): string =>
      JSON.stringify({ key, request: { contents: [user(text)], ...(cachedContent ? { cachedContent } : {}) } });
    const badPath = join(work, 'bad.jsonl');
    writeFileSync(badPath, [line('ok', 'q', manual.name), line('unknown', 'q', 'cachedContents/nosuchcache0'), line('foreign', 'q', foreign.name), line('pro', 'q', proCache.name)].join('\n'));
    const badFile = await ai.files.upload({ file: badPath, config: { mimeType: 'jsonl' } });
    const refusal = ai.batches.create({ model: MODEL, src: badFile.name ?? '' });
    await rejects400(refusal, /Error on line 2: cachedContent 'cachedContents\/nosuchcache0': CachedContent not found/);
    await rejects400(ai.batches.create({ model: MODEL, src: badFile.name ?? '' }), /Error on line 3: .*CachedContent not found[^]*Error on line 4: .*is for models\/gemini-2\.5-pro/);
    await rejects400(
      ai.batches.create({ model: MODEL, src: [{ contents: [user('q')] }, { contents: [user('q')], config: { cachedContent: foreign.name ?? '' } }] }),
      /requests\[1\]'.*CachedContent not found/,
    );
    let listed = 0;
    for await (const _ of await ai.batches.list()) listed++;
    assert.equal(listed, 0, 'no batch was created');

    // Accepted: an inline batch and a file batch; then one cache is deleted and the other expires before any runs.
    const inline = await ai.batches.create({ model: MODEL, src: [
      { contents: [user('How do I fix the internet?')], config: { cachedContent: manual.name ?? '' }, metadata: { k: 'manual' } },
      { contents: [user('When is my refund?')], config: { cachedContent: faq.name ?? '' }, metadata: { k: 'faq' } },
      { contents: [user('Hello')], metadata: { k: 'plain' } },
    ] });
    const goodPath = join(work, 'good.jsonl');
    writeFileSync(goodPath, [line('manual', 'How do I fix the internet?', manual.name), line('plain', 'Hello')].join('\n'));
    const goodFile = await ai.files.upload({ file: goodPath, config: { mimeType: 'jsonl' } });
    const fromFile = await ai.batches.create({ model: MODEL, src: goodFile.name ?? '' });
    assert.equal(readdirSync(dataDir, { recursive: true }).map(String).filter((path) => path.endsWith('caches.json')).length, 2, 'each batch froze its caches');
    await ai.caches.delete({ name: manual.name ?? '' });
    await pollUntil(() => ai.caches.get({ name: faq.name ?? '' }).then(() => 200, (error: unknown) => (error instanceof ApiError ? error.status : 0)), (status) => status === 403, 20_000, 100, 'the FAQ cache to expire');
    await server.stop();

    server = await startServerProcess({ dataDir, env });
    ai = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: server.url } });
    const explicit = async (prefix: { systemInstruction?: string; contents: ReturnType<typeof user>[] }, question: string): Promise<string> =>
      (await ai.models.generateContent({ model: MODEL, contents: [...prefix.contents, user(question)], config: prefix.systemInstruction ? { systemInstruction: prefix.systemInstruction } : {} })).text ?? '';
    const manualAnswer = await explicit({ systemInstruction: SYSTEM, contents: [user(MANUAL)] }, 'How do I fix the internet?');
    const faqAnswer = await explicit({ contents: [user(FAQ)] }, 'When is my refund?');
    const plainAnswer = await explicit({ contents: [] }, 'Hello');

    const done = (name: string) => pollUntil(() => ai.batches.get({ name }), (job) => String(job.state) === 'JOB_STATE_SUCCEEDED', 30_000, 100, `batch ${name} to succeed`);
    const inlineJob = await done(inline.name ?? '');
    const responses = inlineJob.dest?.inlinedResponses ?? [];
    assert.deepEqual(responses.map((item) => item.error), [undefined, undefined, undefined]);
    const textOf = (item: (typeof responses)[number]): string => (item.response?.candidates?.[0]?.content?.parts ?? []).map((part) => part.text).join('');
    assert.deepEqual(responses.map(textOf), [manualAnswer, faqAnswer, plainAnswer]);
    assert.deepEqual(responses.map((item) => item.response?.usageMetadata?.cachedContentTokenCount),
      [manual.usageMetadata?.totalTokenCount, faq.usageMetadata?.totalTokenCount, undefined]);

    const fileJob = await done(fromFile.name ?? '');
    const out = join(work, 'out.jsonl');
    await ai.files.download({ file: fileJob.dest?.fileName ?? '', downloadPath: out });
    const results = readFileSync(out, 'utf8').trim().split('\n').map((text) => JSON.parse(text) as { key: string; response: { candidates: { content: { parts: { text: string }[] } }[]; usageMetadata: { cachedContentTokenCount?: number } } });
    const byKey = Object.fromEntries(results.map((result) => [result.key, result.response]));
    assert.equal(byKey.manual?.candidates[0]?.content.parts.map((part) => part.text).join(''), manualAnswer);
    assert.equal(byKey.manual?.usageMetadata.cachedContentTokenCount, manual.usageMetadata?.totalTokenCount);
    assert.equal(byKey.plain?.usageMetadata.cachedContentTokenCount, undefined);
    const operation = (await (await fetch(`${server.url}/v1beta/${fromFile.name}`, { headers: { 'x-goog-api-key': KEY_A } })).json()) as { metadata: { usage?: { cachedContentTokenCount?: number } } };
    assert.equal(operation.metadata.usage?.cachedContentTokenCount, manual.usageMetadata?.totalTokenCount, 'the batch sums the cached tokens');
    const frozen = () => readdirSync(dataDir, { recursive: true }).map(String).filter((path) => path.endsWith('caches.json'));
    assert.deepEqual(await pollUntil(async () => frozen(), (paths) => paths.length === 0, 10_000, 100, 'the frozen caches to be deleted after finalize'), []);
  });
});

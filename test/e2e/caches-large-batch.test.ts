/**
 * A batch of 10,000 requests sharing one cache (issue 16), through the official @google/genai SDK
 * against `batchmode serve`, on both HTTP backends, each verified at its fake server:
 *
 * - the OpenAI-compatible backend: every one of the 10,000 chat requests carries the cached
 *   system instruction and document as its leading messages, never the cache name; the fake acts
 *   as a prefix cache (it reports `prompt_tokens_details.cached_tokens` for a prefix it saw
 *   before), and every result reports cached tokens;
 * - the upstream Gemini backend: the cache is created upstream once, and every one of the 10,000
 *   generate calls names that upstream copy with the request's own question only; the results
 *   report the upstream's `cachedContentTokenCount`.
 */
import { GoogleGenAI, JobState, type BatchJob } from '@google/genai';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultReply, startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/backends/openai/testing/fake-openai-server.js';
import { startFakeGemini, type FakeGeminiServer } from '../fixtures/gemini/fake-gemini-server.js';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'caches-large-batch';
const UPSTREAM_KEY = 'AIzaSy-upstream-0123456789abcdef';
const COUNT = 10_000;
const SYSTEM = 'Answer from the handbook, in one sentence.';
const HANDBOOK = `The handbook. ${'Plants are watered on Fridays; the kettle is descaled monthly. '.repeat(80)}`;

interface ChatBody {
  messages: { role: string; content: unknown }[];
}

/** The fake's prefix cache: the prefixes (every message but the last) it has answered. */
function prefixCachingReply(seen: Map<string, number>, stats: { calls: number; withPrefix: number; named: number }) {
  return (request: Parameters<typeof defaultReply>[0]) => {
    const body = request.body as ChatBody;
    stats.calls++;
    if (JSON.stringify(body).includes('cachedContents/')) stats.named++;
    const [system, document] = body.messages;
    if (body.messages.length === 3 && system?.role === 'system' && system.content === SYSTEM && document?.content === HANDBOOK) stats.withPrefix++;
    const prefix = createHash('sha1').update(JSON.stringify(body.messages.slice(0, -1))).digest('hex');
    const prefixTokens = Math.ceil(JSON.stringify(body.messages.slice(0, -1)).length / 4);
    const hit = seen.has(prefix);
    seen.set(prefix, (seen.get(prefix) ?? 0) + 1);
    const reply = defaultReply(request) as { json: { usage: Record<string, unknown> } };
    const usage = { ...reply.json.usage, prompt_tokens: prefixTokens + 10, prompt_tokens_details: { cached_tokens: hit ? prefixTokens : 0 } };
    return { json: { ...reply.json, usage } };
  };
}

async function runBatch(ai: GoogleGenAI, work: string, model: string, cacheName: string): Promise<{ job: BatchJob; lines: Record<string, unknown>[] }> {
  const path = join(work, `${model}.jsonl`);
  const lines: string[] = [];
  for (let index = 0; index < COUNT; index++) {
    lines.push(JSON.stringify({ key: `q-${index}`, request: { contents: [{ role: 'user', parts: [{ text: `Question ${index}: what is done on Fridays?` }] }], cachedContent: cacheName } }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl' } });
  const created = await ai.batches.create({ model, src: file.name ?? '' });
  const job = await pollUntil(() => ai.batches.get({ name: created.name ?? '' }), (batch) => batch.state === JobState.JOB_STATE_SUCCEEDED || batch.state === JobState.JOB_STATE_FAILED, 150_000, 250);
  assert.equal(job.state, JobState.JOB_STATE_SUCCEEDED);
  const out = join(work, `${model}-results.jsonl`);
  await ai.files.download({ file: job.dest?.fileName ?? '', downloadPath: out });
  return { job, lines: readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

type ResultLine = { key: string; response?: { usageMetadata?: { cachedContentTokenCount?: number } }; error?: unknown };

function checkResults(lines: Record<string, unknown>[], minCached: number): number {
  assert.equal(lines.length, COUNT);
  const keys = new Set<string>();
  let cached = 0;
  for (const line of lines as ResultLine[]) {
    assert.equal(line.error, undefined, JSON.stringify(line.error));
    keys.add(line.key);
    const tokens = line.response?.usageMetadata?.cachedContentTokenCount ?? 0;
    assert.ok(tokens >= minCached, `${line.key} reports ${tokens} cached tokens`);
    cached += tokens;
  }
  assert.equal(keys.size, COUNT, 'every key exactly once');
  return cached;
}

describe('a 10,000-request batch sharing one cache', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-caches-large-'));
  let openai: FakeOpenAIServer;
  let gemini: FakeGeminiServer;
  let server: ServerProcess;
  let ai: GoogleGenAI;
  const seen = new Map<string, number>();
  const stats = { calls: 0, withPrefix: 0, named: 0 };

  before(async () => {
    openai = await startFakeOpenAIServer({ shouldRecord: false, handler: prefixCachingReply(seen, stats) });
    gemini = await startFakeGemini({ apiKey: UPSTREAM_KEY });
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'gemini-2.5-flash', backend: { type: 'openai', baseUrl: openai.baseUrl, apiKey: 'local', model: 'qwen2.5:7b' } },
      { name: 'gemini-2.5-pro', backend: { type: 'gemini', baseUrl: gemini.baseUrl, apiKeyEnv: 'GEMINI_UPSTREAM_KEY' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config, GEMINI_UPSTREAM_KEY: UPSTREAM_KEY } });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server.stop();
    await openai.close();
    await gemini.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('through the OpenAI-compatible backend: the prefix leads every chat request; cached tokens are reported', { timeout: 240_000 }, async () => {
    const cache = await ai.caches.create({ model: 'gemini-2.5-flash', config: { systemInstruction: SYSTEM, contents: [{ role: 'user', parts: [{ text: HANDBOOK }] }] } });
    const { job, lines } = await runBatch(ai, work, 'gemini-2.5-flash', cache.name ?? '');
    assert.equal(stats.calls, COUNT);
    assert.equal(stats.withPrefix, COUNT, 'system instruction and cached document lead every request');
    assert.equal(stats.named, 0, 'the cache name never reaches the backend');
    assert.equal(seen.size, 1, 'one shared prefix');
    const cached = checkResults(lines, 1);
    const usage = (job as { metadata?: { usage?: { cachedContentTokenCount?: number } } }).metadata?.usage;
    if (usage) assert.equal(usage.cachedContentTokenCount, cached);
  });

  test('through the upstream Gemini backend: one upstream cache, named by every call', { timeout: 240_000 }, async () => {
    const cache = await ai.caches.create({ model: 'gemini-2.5-pro', config: { systemInstruction: SYSTEM, contents: [{ role: 'user', parts: [{ text: HANDBOOK }] }] } });
    const { lines } = await runBatch(ai, work, 'gemini-2.5-pro', cache.name ?? '');
    const creates = gemini.received.filter((received) => received.path === '/v1beta/cachedContents');
    assert.equal(creates.length, 1, 'created upstream once');
    const [upstream] = [...gemini.caches.byName.values()];
    assert.ok(upstream);
    assert.deepEqual(upstream.body.contents, [{ role: 'user', parts: [{ text: HANDBOOK }] }]);
    const calls = gemini.received.filter((received) => received.method === 'generateContent');
    assert.equal(calls.length, COUNT);
    for (const call of calls) {
      assert.equal(call.rejected, undefined);
      const body = call.body as { cachedContent?: string; systemInstruction?: unknown; contents: unknown[] };
      assert.equal(body.cachedContent, upstream.name);
      assert.equal(body.systemInstruction, undefined);
      assert.equal(body.contents.length, 1, 'the question only');
    }
    assert.equal(gemini.caches.uses.get(upstream.name), COUNT);
    assert.equal(checkResults(lines, upstream.tokens), COUNT * upstream.tokens);
  });
});

/**
 * Real backends routed by a config file, end to end: a server process started with
 * BATCHMODE_CONFIG sends batch requests to a local fake OpenAI-compatible server and to a
 * local fake Gemini API (both validate what they receive), and the official SDK reads the
 * results back: routing by exact name and glob, models.list, unknown models, an unsupported
 * tool as an error line, a 429 retried, uploaded images resolved into image parts, and the
 * batch's usage and estimated cost.
 */
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultReply, startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/backends/openai/testing/fake-openai-server.js';
import { startFakeGemini, type FakeGeminiServer } from '../fixtures/gemini/fake-gemini-server.js';
import { pollUntil } from '../support/poll.js';
import { runSdkFileBatch } from '../support/sdk-file-batch.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'backends-key';
const UPSTREAM_KEY = 'upstream-secret';

describe('model backends from a config file', () => {
  let openai: FakeOpenAIServer;
  let gemini: FakeGeminiServer;
  let server: ServerProcess;
  let ai: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-backends-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const rest = async (path: string): Promise<{ done?: boolean; metadata: Record<string, unknown> & { state: string } }> =>
    (await (await fetch(`${server.url}/v1beta/${path}`, { headers: { 'x-goog-api-key': KEY } })).json()) as never;

  before(async () => {
    openai = await startFakeOpenAIServer();
    gemini = await startFakeGemini({ apiKey: UPSTREAM_KEY });
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'gemini-2.5-flash', backend: { type: 'openai', baseUrl: openai.baseUrl, apiKey: 'local', model: 'qwen2.5:7b' },
        maxConcurrency: 8, pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5, batchDiscount: 0.5 } },
      { name: 'local-embed', embedding: true, backend: { type: 'openai', baseUrl: openai.baseUrl, model: 'nomic-embed-text' } },
      { name: 'gemini-*', backend: { type: 'gemini', baseUrl: gemini.baseUrl, apiKeyEnv: 'GEMINI_UPSTREAM_KEY' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config, GEMINI_UPSTREAM_KEY: UPSTREAM_KEY } });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server.stop();
    await openai.close();
    await gemini.close();
  });

  test('models.list shows the configured models; an unknown model is a 404 at creation', async () => {
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name ?? '');
    assert.deepEqual(names.sort(), ['models/gemini-2.5-flash', 'models/local-embed']);
    await assert.rejects(ai.batches.create({ model: 'claude-3', src: [{ contents: [{ parts: [{ text: 'x' }] }] }] }), /NOT_FOUND/);
  });

  test('a file batch through the OpenAI-compatible backend: results, error lines, a retried 429, images, usage and cost', async () => {
    let rateLimited = false;
    openai.setHandler((request) => {
      if (!rateLimited && JSON.stringify(request.body).includes('busy')) {
        rateLimited = true;
        return { status: 429, headers: { 'retry-after': '0' }, json: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } };
      }
      return defaultReply(request);
    });
    const image = await ai.files.upload({ file: new Blob([Buffer.from('89504e470d0a1a0a', 'hex')]), config: { mimeType: 'image/png' } });
    const lines = [
      { key: 'plain', request: { contents: [{ parts: [{ text: 'Describe photosynthesis.' }] }], systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { temperature: 0.2, maxOutputTokens: 64 } } },
      { key: 'search', request: { contents: [{ parts: [{ text: 'Who won?' }] }], tools: [{ googleSearch: {} }] } },
      { key: 'busy', request: { contents: [{ parts: [{ text: 'busy moment' }] }] } },
      { key: 'picture', request: { contents: [{ parts: [{ text: 'What is this?' }, { fileData: { mimeType: 'image/png', fileUri: image.uri ?? '' } }] }] } },
    ];
    type Result = { key: string; response?: { candidates: { content: { parts: { text: string }[] } }[]; usageMetadata: { promptTokenCount: number } }; error?: { code: number; message: string } };
    const { name, results } = await runSdkFileBatch<Result>(ai, work, 'gemini-2.5-flash', lines);
    assert.deepEqual(results.map((result) => [result.key, result.response ? 'ok' : result.error?.code]), [['plain', 'ok'], ['search', 3], ['busy', 'ok'], ['picture', 'ok']]);
    assert.match(results[1]?.error?.message ?? '', /googleSearch/);
    assert.ok((results[0]?.response?.candidates[0]?.content.parts[0]?.text ?? '').length > 0);

    const chat = openai.requests.filter((request) => request.path.startsWith('/v1/chat/completions'));
    assert.ok(chat.every((request) => request.problems.length === 0), JSON.stringify(chat.map((request) => request.problems)));
    const plain = chat.find((request) => JSON.stringify(request.body).includes('photosynthesis'))?.body as { model: string; messages: { role: string }[]; temperature: number; max_tokens: number };
    assert.equal(plain.model, 'qwen2.5:7b');
    assert.deepEqual(plain.messages.map((message) => message.role), ['system', 'user']);
    assert.deepEqual([plain.temperature, plain.max_tokens], [0.2, 64]);
    assert.equal(chat.filter((request) => JSON.stringify(request.body).includes('busy')).length, 2, 'the 429 was retried');
    const picture = JSON.stringify(chat.find((request) => JSON.stringify(request.body).includes('What is this'))?.body);
    assert.match(picture, /data:image\/png;base64,iVBORw0KGgo=/);

    const operation = await rest(name);
    const usage = operation.metadata.usage as { promptTokenCount: number; totalTokenCount: number; estimatedCostUsd: number };
    assert.ok(usage.promptTokenCount > 0 && usage.totalTokenCount > 0);
    assert.ok(usage.estimatedCostUsd > 0);
  });

  test('an inline batch through the upstream Gemini backend preserves every field', async () => {
    const request = {
      contents: [{ parts: [{ text: 'Hello upstream' }], role: 'user' }],
      config: { temperature: 0.4, thinkingConfig: { thinkingBudget: 0 }, safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT' as never, threshold: 'BLOCK_NONE' as never }] },
    };
    const created = await ai.batches.create({ model: 'gemini-2.5-pro', src: [request] });
    const job = await pollUntil(() => ai.batches.get({ name: created.name ?? '' }), (batch) => String(batch.state) === 'JOB_STATE_SUCCEEDED');
    assert.ok(job.dest?.inlinedResponses?.[0]?.response?.candidates?.length);
    const received = gemini.received.find((call) => JSON.stringify(call.body).includes('Hello upstream'));
    assert.equal(received?.rejected, undefined);
    assert.equal(received?.path, '/v1beta/models/gemini-2.5-pro:generateContent');
    assert.equal(received?.headers['x-goog-api-key'], UPSTREAM_KEY);
    assert.deepEqual((received?.body as { generationConfig: unknown }).generationConfig, { temperature: 0.4, thinkingConfig: { thinkingBudget: 0 } });
    assert.deepEqual((received?.body as { safetySettings: unknown }).safetySettings, [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);
  });

  test('embeddings through the OpenAI-compatible backend', async () => {
    const embedded = await ai.models.embedContent({ model: 'local-embed', contents: ['hello'], config: { outputDimensionality: 4 } });
    assert.ok((embedded.embeddings?.[0]?.values?.length ?? 0) > 0);
    const body = openai.requests.find((request) => request.path.startsWith('/v1/embeddings'))?.body as { model: string; dimensions: number };
    assert.deepEqual([body.model, body.dimensions], ['nomic-embed-text', 4]);
  });
});

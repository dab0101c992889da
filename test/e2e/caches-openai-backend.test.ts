/**
 * A cache used through the OpenAI-compatible backend (issue 16): a server process routes the
 * model to a local fake OpenAI-compatible server, and a generateContent naming the cache reaches
 * it as one chat request with the cached system instruction, contents and tools ahead of the
 * request's own message (what a vLLM or SGLang prefix cache needs), with the cached tokens
 * reported back.
 */
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/backends/openai/testing/fake-openai-server.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'caches-openai-key';

describe('a cache through the OpenAI-compatible backend', () => {
  let openai: FakeOpenAIServer;
  let server: ServerProcess;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-caches-openai-'));

  before(async () => {
    openai = await startFakeOpenAIServer();
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'gemini-2.5-flash', backend: { type: 'openai', baseUrl: openai.baseUrl, apiKey: 'local', model: 'qwen2.5:7b' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config } });
  });
  after(async () => {
    await server.stop();
    await openai.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the prefix arrives as messages and tools ahead of the request; cached tokens are reported', async () => {
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
    const cache = await ai.caches.create({
      model: 'gemini-2.5-flash',
      config: {
        systemInstruction: 'You are the handbook assistant.',
        contents: [{ role: 'user', parts: [{ text: 'The handbook: plants are watered on Fridays.' }] }],
        tools: [{ functionDeclarations: [{ name: 'lookup', description: 'Looks a page up.', parametersJsonSchema: { type: 'object', properties: { page: { type: 'integer' } } } }] }],
      },
    });
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'When are plants watered?', config: { cachedContent: cache.name ?? '' } });
    assert.equal(response.usageMetadata?.cachedContentTokenCount, cache.usageMetadata?.totalTokenCount);
    const sent = openai.requests.at(-1);
    assert.deepEqual(sent?.problems, []);
    const body = sent?.body as { model: string; messages: { role: string; content: unknown }[]; tools?: { function: { name: string } }[] };
    assert.equal(body.model, 'qwen2.5:7b');
    assert.deepEqual(body.messages.map((message) => [message.role, JSON.stringify(message.content)]), [
      ['system', JSON.stringify('You are the handbook assistant.')],
      ['user', JSON.stringify('The handbook: plants are watered on Fridays.')],
      ['user', JSON.stringify('When are plants watered?')],
    ]);
    assert.deepEqual(body.tools?.map((tool) => tool.function.name), ['lookup']);
    assert.ok(!JSON.stringify(body).includes('cachedContents/'), 'the cache name never reaches the backend');
  });
});

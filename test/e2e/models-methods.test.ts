/**
 * `models.list` advertises only what is served (issue 16): every method a model lists in
 * `supportedGenerationMethods` is called on that model over real HTTP and answers 200, and a
 * method this test does not know how to call fails the test (so a new advertised method needs a
 * route and a probe here). Runs on the built-in models and on a config that routes a generation
 * and an embedding model to an OpenAI-compatible server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defaultReply, startFakeOpenAIServer } from '../../src/backends/openai/testing/fake-openai-server.js';
import { loadFixture } from '../../src/backends/openai/testing/load-fixture.js';
import { startInProcessServer } from '../support/in-process-server.js';

const KEY = 'models-methods-key';
const contents = [{ role: 'user', parts: [{ text: 'Say hi.' }] }];
const content = { parts: [{ text: 'embed me' }] };

/** How each method is called: a path under /v1beta and a body, for model id `m`. */
const PROBES: Record<string, (m: string) => { path: string; body: unknown }> = {
  generateContent: (m) => ({ path: `models/${m}:generateContent`, body: { contents } }),
  streamGenerateContent: (m) => ({ path: `models/${m}:streamGenerateContent?alt=sse`, body: { contents } }),
  countTokens: (m) => ({ path: `models/${m}:countTokens`, body: { contents } }),
  batchGenerateContent: (m) => ({ path: `models/${m}:batchGenerateContent`, body: { batch: { inputConfig: { requests: { requests: [{ request: { contents } }] } } } } }),
  createCachedContent: (m) => ({ path: 'cachedContents', body: { model: `models/${m}`, contents } }),
  embedContent: (m) => ({ path: `models/${m}:embedContent`, body: { content } }),
  batchEmbedContents: (m) => ({ path: `models/${m}:batchEmbedContents`, body: { requests: [{ model: `models/${m}`, content }] } }),
  asyncBatchEmbedContent: (m) => ({ path: `models/${m}:asyncBatchEmbedContent`, body: { batch: { inputConfig: { requests: { requests: [{ request: { content } }] } } } } }),
};

async function listModels(url: string): Promise<{ name: string; supportedGenerationMethods: string[] }[]> {
  const models: { name: string; supportedGenerationMethods: string[] }[] = [];
  let pageToken = '';
  do {
    const response = await fetch(`${url}/v1beta/models?pageSize=50${pageToken ? `&pageToken=${pageToken}` : ''}`, { headers: { 'x-goog-api-key': KEY } });
    assert.equal(response.status, 200);
    const page = (await response.json()) as { models: typeof models; nextPageToken?: string };
    models.push(...page.models);
    pageToken = page.nextPageToken ?? '';
  } while (pageToken !== '');
  return models;
}

async function probeEveryAdvertisedMethod(url: string): Promise<number> {
  const models = await listModels(url);
  assert.ok(models.length > 0);
  let calls = 0;
  for (const model of models) {
    const id = model.name.replace(/^models\//, '');
    for (const method of model.supportedGenerationMethods) {
      const probe = PROBES[method];
      assert.ok(probe, `${model.name} advertises ${method}, which nothing here calls: is it served?`);
      const { path, body } = probe(id);
      const response = await fetch(`${url}/v1beta/${path}`, { method: 'POST', headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(response.status, 200, `${model.name} ${method}: ${await response.text()}`);
      await response.arrayBuffer().catch(() => undefined);
      calls++;
    }
  }
  return calls;
}

describe('models.list advertises only served methods', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-models-methods-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('every method of every built-in model answers', async () => {
    const server = await startInProcessServer({ apiKeys: KEY, workers: 'false' });
    try {
      const calls = await probeEveryAdvertisedMethod(server.url);
      assert.ok(calls >= 9, `${calls} calls`);
    } finally {
      await server.close();
    }
  });

  test('every method of models routed to an OpenAI-compatible server answers', async () => {
    // Streamed chat requests get the recorded chunks; everything else the recorded answers.
    const openai = await startFakeOpenAIServer({
      handler: (request) => ((request.body as { stream?: boolean } | undefined)?.stream === true ? { sse: loadFixture<unknown[]>('chat-completion-chunks') } : defaultReply(request)),
    });
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'local-chat', backend: { type: 'openai', baseUrl: openai.baseUrl, model: 'qwen2.5:7b' } },
      { name: 'local-embed', embedding: true, backend: { type: 'openai', baseUrl: openai.baseUrl, model: 'nomic-embed-text' } },
    ] }));
    const server = await startInProcessServer({ apiKeys: KEY, workers: 'false', configFile: config });
    try {
      const calls = await probeEveryAdvertisedMethod(server.url);
      assert.ok(calls >= 9, `${calls} calls`);
    } finally {
      await server.close();
      await openai.close();
    }
  });
});

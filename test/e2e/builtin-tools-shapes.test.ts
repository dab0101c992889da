/**
 * The same shape checks of Gemini's built-in tool metadata, through the official SDK, for the
 * simulated model (batchmode's deterministic fake tools, no network) and for the upstream
 * Gemini backend (no decorator: the tools reach the fake Gemini API unchanged and its metadata
 * comes back unchanged): groundingMetadata's queries, web chunks and supports whose UTF-8 byte
 * offsets cut the candidate's text at the segment, and urlContextMetadata's statuses.
 */
import { GoogleGenAI, type Candidate } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeGemini, type FakeGeminiServer } from '../fixtures/gemini/fake-gemini-server.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'tool-shapes-key';
const UPSTREAM_KEY = 'upstream-secret';
const STATUSES = new Set(['URL_RETRIEVAL_STATUS_SUCCESS', 'URL_RETRIEVAL_STATUS_ERROR', 'URL_RETRIEVAL_STATUS_UNSAFE', 'URL_RETRIEVAL_STATUS_PAYWALL']);

/** Checks a grounded candidate's shape; at least one support is required. */
function assertGroundingShape(candidate: Candidate | undefined): void {
  const grounding = candidate?.groundingMetadata;
  assert.ok(grounding, 'groundingMetadata');
  assert.ok((grounding.webSearchQueries?.length ?? 0) > 0 && grounding.webSearchQueries?.every((query) => typeof query === 'string' && query !== ''));
  const chunks = grounding.groundingChunks ?? [];
  assert.ok(chunks.length > 0);
  for (const chunk of chunks) {
    assert.match(chunk.web?.uri ?? '', /^https?:\/\//);
    assert.equal(typeof chunk.web?.title, 'string');
  }
  const supports = grounding.groundingSupports ?? [];
  assert.ok(supports.length > 0, 'groundingSupports');
  for (const support of supports) {
    const segment = support.segment;
    const part: string = String(candidate?.content?.parts?.[segment?.partIndex ?? 0]?.text ?? '');
    const bytes: Buffer = Buffer.from(part, 'utf8');
    assert.ok((segment?.endIndex ?? 0) > (segment?.startIndex ?? 0));
    assert.equal(bytes.subarray(segment?.startIndex ?? 0, segment?.endIndex).toString('utf8'), segment?.text, 'UTF-8 byte offsets');
    assert.ok((support.groundingChunkIndices ?? []).length > 0 && support.groundingChunkIndices?.every((index) => index >= 0 && index < chunks.length));
  }
}

function assertUrlContextShape(candidate: Candidate | undefined, urls: readonly string[]): void {
  const metadata = candidate?.urlContextMetadata?.urlMetadata ?? [];
  assert.deepEqual(metadata.map((entry) => entry.retrievedUrl), urls);
  assert.ok(metadata.every((entry) => STATUSES.has(String(entry.urlRetrievalStatus))));
}

describe('built-in tool shapes: the simulated model and the upstream Gemini backend', () => {
  let gemini: FakeGeminiServer;
  let server: ServerProcess;
  let ai: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-tool-shapes-'));

  before(async () => {
    gemini = await startFakeGemini({ apiKey: UPSTREAM_KEY });
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'gemini-2.5-flash', backend: { type: 'simulated' } },
      { name: 'gemini-2.5-pro', backend: { type: 'gemini', baseUrl: gemini.baseUrl, apiKeyEnv: 'GEMINI_UPSTREAM_KEY' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config, GEMINI_UPSTREAM_KEY: UPSTREAM_KEY } });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server?.stop();
    await gemini?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the simulated model answers googleSearch and urlContext deterministically, with example.com sources', async () => {
    const request = { model: 'gemini-2.5-flash', contents: 'What changed in the 2025 rules?', config: { tools: [{ googleSearch: {} }] } };
    const answer = await ai.models.generateContent(request);
    assertGroundingShape(answer.candidates?.[0]);
    assert.ok(answer.candidates?.[0]?.groundingMetadata?.groundingChunks?.every((chunk) => chunk.web?.uri?.startsWith('https://example.com/')));
    assert.deepEqual((await ai.models.generateContent(request)).candidates, answer.candidates, 'deterministic');
    assert.ok((answer.usageMetadata?.toolUsePromptTokenCount ?? 0) > 0);

    const urls = ['https://docs.example.org/guide', 'https://docs.example.org/missing'];
    const read = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: `Compare ${urls.join(' and ')}.`, config: { tools: [{ urlContext: {} }] } });
    assertUrlContextShape(read.candidates?.[0], urls);
    assert.deepEqual(read.candidates?.[0]?.urlContextMetadata?.urlMetadata?.map((entry) => String(entry.urlRetrievalStatus)), ['URL_RETRIEVAL_STATUS_SUCCESS', 'URL_RETRIEVAL_STATUS_ERROR']);
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Read http://127.0.0.1:9/x', config: { tools: [{ urlContext: {} }] } }), /PERMISSION_DENIED|loopback/);
  });

  test('the upstream Gemini backend passes the tools through and their metadata back unchanged', async () => {
    const text = 'Die Blauen gewannen das Finale 2024. Es war knapp.';
    const groundingMetadata = {
      webSearchQueries: ['Finale 2024 Sieger'],
      groundingChunks: [{ web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbC', title: 'sport.example' } }],
      groundingSupports: [{ segment: { endIndex: Buffer.byteLength('Die Blauen gewannen das Finale 2024.'), text: 'Die Blauen gewannen das Finale 2024.' }, groundingChunkIndices: [0] }],
      searchEntryPoint: { renderedContent: '<div>search</div>' },
    };
    const urlContextMetadata = { urlMetadata: [{ retrievedUrl: 'https://sport.example/finale', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' }] };
    gemini.replyNext({ status: 200, json: {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0, groundingMetadata, urlContextMetadata }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 12, toolUsePromptTokenCount: 90, totalTokenCount: 112 },
      modelVersion: 'gemini-2.5-pro',
    } });
    const answer = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Wer gewann das Finale 2024? https://sport.example/finale', config: { tools: [{ googleSearch: {} }, { urlContext: {} }] } });
    const received = gemini.received.at(-1);
    assert.equal(received?.rejected, undefined);
    assert.deepEqual((received?.body as { tools: unknown }).tools, [{ googleSearch: {} }, { urlContext: {} }]);
    assert.doesNotMatch(JSON.stringify(received?.body), /Web search results|<page url=/, 'no context added upstream');
    assertGroundingShape(answer.candidates?.[0]);
    assertUrlContextShape(answer.candidates?.[0], ['https://sport.example/finale']);
    assert.deepEqual(JSON.parse(JSON.stringify(answer.candidates?.[0]?.groundingMetadata)), groundingMetadata);
    assert.equal(answer.usageMetadata?.toolUsePromptTokenCount, 90);
  });
});

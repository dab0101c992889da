// Tests of the Gemini backend's calls: every field forwarded, paths, headers, embeddings, token counts, options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { fixture, startFakeGemini } from '../../../test/fixtures/gemini/fake-gemini-server.js';
import type { GenerateContentResponse } from '../../core/gemini-types.js';
import { ask, collect } from '../testing/backend-test-kit.js';
import { createGeminiBackend } from './gemini-backend.js';
import { API_KEY, call, FULL_REQUEST, MODEL, useFakeGemini } from './testing/gemini-test-kit.js';

const gemini = useFakeGemini();
const { backendFor } = gemini;

test('generateContent forwards every field as given (bar model) and returns the response unchanged', async () => {
  const backend = backendFor();
  const response = await backend.generateContent(structuredClone(FULL_REQUEST), call());
  const received = gemini.fake.received.at(-1)!;
  assert.equal(received.rejected, undefined);
  assert.equal(received.path, `/v1beta/models/${MODEL}:generateContent`);
  assert.equal(received.headers['x-goog-api-key'], API_KEY);
  const { model: _model, ...expected } = FULL_REQUEST;
  assert.deepEqual(received.body, expected);
  assert.deepEqual(response, fixture('generate-content-response.json'));
  assert.equal(response.usageMetadata?.thoughtsTokenCount, 412);
  assert.deepEqual(response.usageMetadata?.promptTokensDetails, [{ modality: 'TEXT', tokenCount: 12 }]);
  assert.ok(!backend.id.includes(API_KEY));
});

test('the model option replaces the call model in the path; a body model is never sent', async () => {
  const backend = backendFor({ model: 'models/gemini-2.5-pro' });
  await backend.generateContent({ ...ask('hi'), model: 'models/my-batch-alias' }, call(undefined, 'my-batch-alias'));
  assert.equal(gemini.fake.received.at(-1)!.rejected, undefined);
  assert.equal(gemini.fake.received.at(-1)!.model, 'gemini-2.5-pro');
  assert.deepEqual(gemini.fake.received.at(-1)!.body, ask('hi'));
  await backendFor().generateContent(ask('hi'), call(undefined, 'gemini-2.0-flash'));
  assert.equal(gemini.fake.received.at(-1)!.model, 'gemini-2.0-flash');
});

test('a base URL path prefix and a custom header are kept; the key cannot be overridden by headers', async () => {
  const proxied = await startFakeGemini({ apiKey: API_KEY, pathPrefix: '/proxy/gemini' });
  const backend = createGeminiBackend({ baseUrl: `${proxied.baseUrl}/`, apiKey: API_KEY, headers: { 'X-Team': 'search', 'X-Goog-Api-Key': 'other' } });
  try {
    await backend.generateContent(ask('hi'), call());
    const received = proxied.received.at(-1)!;
    assert.equal(received.rejected, undefined);
    assert.equal(received.path, `/proxy/gemini/v1beta/models/${MODEL}:generateContent`);
    assert.equal(received.headers['x-team'], 'search');
    assert.equal(received.headers['x-goog-api-key'], API_KEY);
  } finally {
    await backend.close();
    await proxied.close();
  }
});

test('candidates[].continuationToken is dropped, the rest of the candidate kept', async () => {
  const withToken = fixture('generate-content-response.json') as GenerateContentResponse;
  withToken.candidates![0]!.continuationToken = 'Cg4KDGNvbnRpbnVlLWhlcmU';
  withToken.candidates![0]!.finishReason = 'CONTINUATION';
  gemini.fake.replyNext({ status: 200, json: withToken });
  const response = await backendFor().generateContent(ask('long'), call());
  assert.equal(response.candidates?.[0]?.continuationToken, undefined);
  assert.equal(response.candidates?.[0]?.finishReason, 'CONTINUATION');
  assert.deepEqual(response.candidates?.[0]?.content, withToken.candidates![0]!.content);

  gemini.fake.replyNext({ events: [withToken] });
  const [chunk] = await collect(backendFor().streamGenerateContent!(ask('long'), call()));
  assert.ok(chunk !== undefined && !('continuationToken' in chunk.candidates![0]!));
});

test('embedContent posts {content, taskType, title, outputDimensionality} and returns the embedding', async () => {
  const request = {
    model: 'models/gemini-embedding-001',
    content: { parts: [{ text: 'What is the meaning of life?' }] },
    taskType: 'RETRIEVAL_DOCUMENT',
    title: 'Life',
    outputDimensionality: 8,
  };
  const response = await backendFor().embedContent!(request, call(undefined, 'gemini-embedding-001'));
  const received = gemini.fake.received.at(-1)!;
  assert.equal(received.rejected, undefined);
  assert.equal(received.path, '/v1beta/models/gemini-embedding-001:embedContent');
  assert.deepEqual(received.body, { content: request.content, taskType: 'RETRIEVAL_DOCUMENT', title: 'Life', outputDimensionality: 8 });
  assert.deepEqual(response, fixture('embed-content-response.json'));
});

test('countTokens sends {contents}, or {generateContentRequest} naming the model when context counts', async () => {
  const backend = backendFor();
  assert.equal(await backend.countTokens!({ ...ask('count me'), generationConfig: { temperature: 1 } }, call()), 31);
  assert.equal(gemini.fake.received.at(-1)!.rejected, undefined);
  assert.equal(gemini.fake.received.at(-1)!.path, `/v1beta/models/${MODEL}:countTokens`);
  assert.deepEqual(gemini.fake.received.at(-1)!.body, ask('count me'));

  assert.equal(await backend.countTokens!(structuredClone(FULL_REQUEST), call()), 31);
  assert.equal(gemini.fake.received.at(-1)!.rejected, undefined);
  const { model: _model, ...rest } = FULL_REQUEST;
  assert.deepEqual(gemini.fake.received.at(-1)!.body, { generateContentRequest: { model: `models/${MODEL}`, ...rest } });

  gemini.fake.replyNext({ status: 200, json: {} });
  assert.equal(await backend.countTokens!(ask(''), call()), 0, 'proto3 omits a zero totalTokens');
});

test('bad options throw', () => {
  assert.throws(() => createGeminiBackend({ apiKey: '' }), RangeError);
  assert.throws(() => createGeminiBackend({ apiKey: API_KEY, baseUrl: 'ftp://example.com' }), RangeError);
  assert.throws(() => createGeminiBackend({ apiKey: API_KEY, timeoutMs: 0 }), RangeError);
  assert.throws(() => createGeminiBackend({ apiKey: API_KEY, maxConnections: 0 }), RangeError);
});

test('the fake rejects what the real API rejects, so the checks above can fail', async () => {
  const post = async (path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> => {
    const response = await request(`${gemini.fake.baseUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    return { status: response.statusCode, body: await response.body.json() };
  };
  const path = `/v1beta/models/${MODEL}:generateContent`;
  const good = JSON.stringify(ask('hi'));
  assert.equal((await post(path, good, { 'x-goog-api-key': API_KEY })).status, 200);
  assert.equal((await post(path, good, {})).status, 403);
  assert.equal((await post(`${path}?key=${API_KEY}`, good, { 'x-goog-api-key': API_KEY })).status, 400);
  assert.equal((await post(path, JSON.stringify({ contents: [] }), { 'x-goog-api-key': API_KEY })).status, 400);
  assert.equal((await post(path, JSON.stringify({ ...ask('hi'), generationConfig: { max_output_tokens: 5 } }), { 'x-goog-api-key': API_KEY })).status, 400);
  assert.equal((await post(path, JSON.stringify({ ...ask('hi'), model: 'models/other' }), { 'x-goog-api-key': API_KEY })).status, 400);
  assert.equal((await post(`/v1beta/models/${MODEL}:embedContent`, JSON.stringify({ title: 'x' }), { 'x-goog-api-key': API_KEY })).status, 400);
  assert.equal((await post(`/v1beta/models/${MODEL}:streamGenerateContent`, good, { 'x-goog-api-key': API_KEY })).status, 400);
  assert.equal((await post(`/v1/models/${MODEL}:generateContent`, good, { 'x-goog-api-key': API_KEY })).status, 404);
});

test('serviceTier is forwarded upstream as the client sent it', async () => {
  await backendFor().generateContent({ ...ask('hi'), serviceTier: 'flex' }, call());
  assert.equal(gemini.fake.received.at(-1)!.rejected, undefined);
  assert.deepEqual(gemini.fake.received.at(-1)!.body, { ...ask('hi'), serviceTier: 'flex' });
});

// Tests of the OpenAI backend's calls: the chat request it posts, files, tools, requests it refuses, embeddings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest } from '../../core/gemini-types.js';
import { ask, failure } from '../testing/backend-test-kit.js';
import { defaultReply } from './testing/fake-openai-server.js';
import { loadFixture } from './testing/load-fixture.js';
import { call, useFakeOpenAI } from './testing/openai-test-kit.js';

const openai = useFakeOpenAI();
const { backendFor, onlyRequest } = openai;

test('generateContent posts a valid chat completion and returns the Gemini response', async () => {
  const backend = backendFor({ apiKey: 'sk-test', headers: { 'x-team': 'search' } });
  assert.equal(backend.id, `openai:${openai.server.baseUrl}`);
  const response = await backend.generateContent(
    { systemInstruction: { parts: [{ text: 'Be brief.' }] }, ...ask('Capital of France?'), generationConfig: { temperature: 0.2, maxOutputTokens: 64 } },
    call(),
  );
  assert.deepEqual(response.candidates, [{ content: { role: 'model', parts: [{ text: 'The capital of France is Paris.' }] }, finishReason: 'STOP', index: 0 }]);
  assert.equal(response.modelVersion, 'gemini-2.5-flash', 'the server echoes the model it was asked for');
  assert.equal(response.usageMetadata?.totalTokenCount, 45);
  const [request] = openai.server.requests;
  assert.equal(request?.method, 'POST');
  assert.equal(request?.path, '/v1/chat/completions');
  assert.equal(request?.headers.authorization, 'Bearer sk-test');
  assert.equal(request?.headers['x-team'], 'search');
  assert.equal(request?.headers['content-type'], 'application/json');
  assert.deepEqual(onlyRequest(), {
    model: 'gemini-2.5-flash',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
    ],
    temperature: 0.2,
    max_tokens: 64,
  });
});

test('the model option names the upstream model; the base URL path and query string are kept; no key, no Authorization', async () => {
  const backend = backendFor({ baseUrl: `${openai.server.baseUrl}/?api-version=2024-10-21`, model: 'Qwen/Qwen3-8B' });
  await backend.generateContent(ask('hi'), call());
  assert.equal(openai.server.requests[0]?.path, '/v1/chat/completions?api-version=2024-10-21');
  assert.equal(openai.server.requests[0]?.headers.authorization, undefined);
  assert.equal(onlyRequest().model, 'Qwen/Qwen3-8B');
});

test('inline images and fileData resolved through resolveFile reach the server as content parts', async () => {
  const resolved: string[] = [];
  const backend = backendFor({
    resolveFile: async (fileUri, signal) => {
      assert.equal(signal.aborted, false);
      resolved.push(fileUri);
      return fileUri.endsWith('notes') ? { mimeType: 'text/plain', data: Buffer.from('Buy milk') } : { mimeType: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) };
    },
  });
  const png = Buffer.from([1, 2, 3]).toString('base64');
  const fileUri = `${openai.server.baseUrl.replace('/v1', '')}/v1beta/files/photo`;
  await backend.generateContent(
    {
      contents: [
        {
          role: 'user',
          parts: [{ text: 'Compare' }, { inlineData: { mimeType: 'image/jpeg', data: png } }, { fileData: { fileUri } }, { fileData: { fileUri: 'files/notes' } }, { fileData: { fileUri } }],
        },
      ],
    },
    call(),
  );
  assert.deepEqual(resolved.sort(), ['files/notes', fileUri], 'each file resolved once');
  const messages = onlyRequest().messages as { content: unknown }[];
  assert.deepEqual(messages[0]?.content, [
    { type: 'text', text: 'Compare' },
    { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${png}` } },
    { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } },
    { type: 'text', text: 'Buy milk' },
    { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } },
  ]);
});

test('a resolver passed with the call (the caller\'s tenant) wins over the one given at construction', async () => {
  const backend = backendFor({ resolveFile: async () => Promise.reject(new Error('the construction-time resolver was used')) });
  const request: GenerateContentRequest = { contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/notes' } }] }] };
  await backend.generateContent(request, { ...call(), resolveFile: async () => ({ mimeType: 'text/plain', data: Buffer.from('tenant file') }) });
  assert.deepEqual((onlyRequest().messages as unknown[])[0], { role: 'user', content: 'tenant file' });
});

test('requests that cannot be honoured fail with INVALID_ARGUMENT, not retryable, before anything is sent', async () => {
  const backend = backendFor();
  const search = await failure(backend.generateContent({ ...ask('news?'), tools: [{ googleSearch: {} }] }, call()));
  assert.deepEqual([search.status, search.retryable], ['INVALID_ARGUMENT', false]);
  assert.equal(search.message, `googleSearch is not supported by the OpenAI-compatible backend (${openai.server.baseUrl})`);
  const file = await failure(backend.generateContent({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/x' } }] }] }, call()));
  assert.deepEqual([file.status, file.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(file.message, /no file resolver/);
  const missing = backendFor({ resolveFile: async () => Promise.reject(Object.assign(new Error('files/x is gone'), { status: 'NOT_FOUND' })) });
  const gone = await failure(missing.generateContent({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/x' } }] }] }, call()));
  assert.deepEqual([gone.status, gone.retryable], ['NOT_FOUND', false]);
  assert.equal(openai.server.requests.length, 0);
});

test('function calling round trip: tool_calls come back as functionCall parts, and the answers go back as tool messages', async () => {
  const backend = backendFor();
  openai.server.setHandler(() => ({ json: loadFixture('chat-completion-tool-calls') }));
  const tools = [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }, { name: 'get_time' }] }];
  const first = await backend.generateContent({ ...ask('Weather and time in Paris?'), tools, toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, call());
  const modelTurn = first.candidates?.[0]?.content;
  assert.deepEqual(
    modelTurn?.parts?.map((part) => part.functionCall?.name),
    ['get_weather', 'get_time'],
  );
  assert.equal(onlyRequest().tool_choice, 'required');
  openai.server.requests.length = 0;
  openai.server.setHandler(defaultReply);
  await backend.generateContent(
    {
      tools,
      contents: [
        ...ask('Weather and time in Paris?').contents,
        modelTurn,
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_time', response: { time: '12:00' } } },
            { functionResponse: { name: 'get_weather', response: { temperature: 21 } } },
          ],
        },
      ],
    },
    call(),
  );
  const messages = onlyRequest().messages as Record<string, unknown>[];
  assert.deepEqual(
    messages.slice(2),
    [
      { role: 'tool', tool_call_id: 'chatcmpl-tool-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b', content: '{"time":"12:00"}' },
      { role: 'tool', tool_call_id: 'chatcmpl-tool-5c0a6a3e1f2b4d8e9a7b6c5d4e3f2a1b', content: '{"temperature":21}' },
    ],
  );
});

test('embedContent posts the text with dimensions to /embeddings and returns the vector', async () => {
  const backend = backendFor({ embeddingModel: 'text-embedding-3-small' });
  const response = await backend.embedContent!(
    { content: { parts: [{ text: 'Hello' }, { text: 'world' }] }, title: 'Greeting', taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 8 },
    call(),
  );
  assert.deepEqual(response, { embedding: { values: [-0.0069, -0.0053, 0.0142, -0.0251, 0.0318, 0.0045, -0.0117, 0.0209] } });
  assert.equal(openai.server.requests[0]?.path, '/v1/embeddings');
  assert.deepEqual(onlyRequest(), { model: 'text-embedding-3-small', input: 'Greeting\n\nHello\nworld', encoding_format: 'float', dimensions: 8 });
  const cut = await backend.embedContent!({ content: { parts: [{ text: 'Hello' }] }, outputDimensionality: 3 }, call());
  assert.deepEqual(cut.embedding.values, [-0.0069, -0.0053, 0.0142], 'a server that ignores dimensions is cut to size');
  const image = await failure(backend.embedContent!({ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }] } }, call()));
  assert.deepEqual([image.status, image.retryable], ['INVALID_ARGUMENT', false]);
});

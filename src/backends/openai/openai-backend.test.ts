import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import { BackendError, type CallOptions } from '../backend.js';
import { createOpenAIBackend, type OpenAIBackend, type OpenAIBackendOptions } from './openai-backend.js';
import { defaultReply, startFakeOpenAIServer, type FakeOpenAIServer } from './testing/fake-openai-server.js';
import { loadFixture } from './testing/load-fixture.js';

let server: FakeOpenAIServer;
const backends: OpenAIBackend[] = [];

before(async () => {
  server = await startFakeOpenAIServer();
});
beforeEach(() => {
  server.requests.length = 0;
  server.setHandler(defaultReply);
});
after(async () => {
  await Promise.all(backends.map((backend) => backend.close()));
  await server.close();
});

function backendFor(options: Partial<OpenAIBackendOptions> = {}): OpenAIBackend {
  const backend = createOpenAIBackend({ baseUrl: server.baseUrl, ...options });
  backends.push(backend);
  return backend;
}

const call = (signal: AbortSignal = new AbortController().signal): CallOptions => ({ model: 'gemini-2.5-flash', signal });
const ask = (text: string): GenerateContentRequest => ({ contents: [{ role: 'user', parts: [{ text }] }] });

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BackendError, String(error));
    return error;
  }
  assert.fail('the call succeeded');
}

async function collect(stream: AsyncIterable<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The only request the server saw (and that it found valid). */
function onlyRequest(): Record<string, unknown> {
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.deepEqual(request!.problems, []);
  return request!.body as Record<string, unknown>;
}

test('generateContent posts a valid chat completion and returns the Gemini response', async () => {
  const backend = backendFor({ apiKey: 'sk-test', headers: { 'x-team': 'search' } });
  assert.equal(backend.id, `openai:${server.baseUrl}`);
  const response = await backend.generateContent(
    { systemInstruction: { parts: [{ text: 'Be brief.' }] }, ...ask('Capital of France?'), generationConfig: { temperature: 0.2, maxOutputTokens: 64 } },
    call(),
  );
  assert.deepEqual(response.candidates, [{ content: { role: 'model', parts: [{ text: 'The capital of France is Paris.' }] }, finishReason: 'STOP', index: 0 }]);
  assert.equal(response.modelVersion, 'gemini-2.5-flash', 'the server echoes the model it was asked for');
  assert.equal(response.usageMetadata?.totalTokenCount, 45);
  const [request] = server.requests;
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
  const backend = backendFor({ baseUrl: `${server.baseUrl}/?api-version=2024-10-21`, model: 'Qwen/Qwen3-8B' });
  await backend.generateContent(ask('hi'), call());
  assert.equal(server.requests[0]?.path, '/v1/chat/completions?api-version=2024-10-21');
  assert.equal(server.requests[0]?.headers.authorization, undefined);
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
  const fileUri = `${server.baseUrl.replace('/v1', '')}/v1beta/files/photo`;
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
  assert.equal(search.message, `googleSearch is not supported by the OpenAI-compatible backend (${server.baseUrl})`);
  const file = await failure(backend.generateContent({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/x' } }] }] }, call()));
  assert.deepEqual([file.status, file.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(file.message, /no file resolver/);
  const missing = backendFor({ resolveFile: async () => Promise.reject(Object.assign(new Error('files/x is gone'), { status: 'NOT_FOUND' })) });
  const gone = await failure(missing.generateContent({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/x' } }] }] }, call()));
  assert.deepEqual([gone.status, gone.retryable], ['NOT_FOUND', false]);
  assert.equal(server.requests.length, 0);
});

test('function calling round trip: tool_calls come back as functionCall parts, and the answers go back as tool messages', async () => {
  const backend = backendFor();
  server.setHandler(() => ({ json: loadFixture('chat-completion-tool-calls') }));
  const tools = [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }, { name: 'get_time' }] }];
  const first = await backend.generateContent({ ...ask('Weather and time in Paris?'), tools, toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, call());
  const modelTurn = first.candidates?.[0]?.content;
  assert.deepEqual(
    modelTurn?.parts?.map((part) => part.functionCall?.name),
    ['get_weather', 'get_time'],
  );
  assert.equal(onlyRequest().tool_choice, 'required');
  server.requests.length = 0;
  server.setHandler(defaultReply);
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

test('429 with Retry-After is RESOURCE_EXHAUSTED, retryable, with retryAfterMs and the upstream message', async () => {
  const backend = backendFor();
  server.setHandler(() => ({ status: 429, headers: { 'retry-after': '2' }, json: loadFixture('error-openai-rate-limit') }));
  const limited = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([limited.status, limited.retryable, limited.retryAfterMs, limited.httpStatus], ['RESOURCE_EXHAUSTED', true, 2000, 429]);
  assert.match(limited.message, /answered HTTP 429: Rate limit reached for gpt-4o-mini/);
  server.setHandler(() => ({ status: 429, headers: { 'retry-after-ms': '120', 'retry-after': '1' }, json: loadFixture('error-openai-rate-limit') }));
  assert.equal((await failure(backend.generateContent(ask('hi'), call()))).retryAfterMs, 120);
});

test('503 is retryable UNAVAILABLE; 400 and 404 are not retried and carry the server message', async () => {
  const backend = backendFor();
  server.setHandler(() => ({ status: 503, text: 'no healthy upstream' }));
  const unavailable = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([unavailable.status, unavailable.retryable], ['UNAVAILABLE', true]);
  assert.match(unavailable.message, /HTTP 503: no healthy upstream/);
  server.setHandler(() => ({ status: 400, json: loadFixture('error-vllm-context-length') }));
  const invalid = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([invalid.status, invalid.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(invalid.message, /maximum context length is 4096 tokens/);
  server.setHandler(() => ({ status: 404, json: loadFixture('error-vllm-legacy') }));
  const notFound = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([notFound.status, notFound.retryable], ['NOT_FOUND', false]);
  assert.match(notFound.message, /does not exist/);
  server.setHandler(() => ({ text: '<html>Open WebUI</html>' }));
  const html = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([html.status, html.retryable], ['INTERNAL', false]);
});

test('connection refused and dropped connections are retryable UNAVAILABLE; a slow server DEADLINE_EXCEEDED', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as { port: number };
  await new Promise((resolve) => closed.close(resolve));
  const refused = await failure(backendFor({ baseUrl: `http://127.0.0.1:${port}/v1` }).generateContent(ask('hi'), call()));
  assert.deepEqual([refused.status, refused.retryable], ['UNAVAILABLE', true]);
  assert.match(refused.message, /ECONNREFUSED/);
  server.setHandler(() => ({ destroy: true }));
  const dropped = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.deepEqual([dropped.status, dropped.retryable], ['UNAVAILABLE', true]);
  server.setHandler(() => ({ json: loadFixture('chat-completion-vllm'), delayMs: 2000 }));
  const slow = await failure(backendFor({ timeoutMs: 150 }).generateContent(ask('hi'), call()));
  assert.deepEqual([slow.status, slow.retryable], ['DEADLINE_EXCEEDED', true]);
});

test('an abort rejects promptly with CANCELLED (not retryable), before or during the call, without listener warnings', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    const backend = backendFor();
    const early = await failure(backend.generateContent(ask('hi'), call(AbortSignal.abort())));
    assert.deepEqual([early.status, early.retryable], ['CANCELLED', false]);
    assert.equal(server.requests.length, 0);
    server.setHandler(() => ({ json: loadFixture('chat-completion-vllm'), delayMs: 10_000 }));
    const controller = new AbortController();
    const started = performance.now();
    const pending = Array.from({ length: 40 }, () => failure(backend.generateContent(ask('slow'), call(controller.signal))));
    setTimeout(() => controller.abort(), 50);
    const errors = await Promise.all(pending);
    assert.ok(performance.now() - started < 1000, 'rejected long before the server answered');
    assert.ok(errors.every((error) => error.status === 'CANCELLED' && !error.retryable));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('many concurrent calls share one signal and all succeed', async () => {
  const backend = backendFor({ maxConnections: 8 });
  const signal = new AbortController().signal;
  const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => backend.generateContent(ask(`q${index}`), call(signal))));
  assert.equal(responses.length, 100);
  assert.ok(responses.every((response) => response.candidates?.[0]?.finishReason === 'STOP'));
  assert.ok(server.requests.every((request) => request.problems.length === 0));
});

test('streamGenerateContent yields text deltas, then a last chunk with the finish reason and usage', async () => {
  const backend = backendFor();
  server.setHandler(() => ({ sse: loadFixture<unknown[]>('chat-completion-chunks') }));
  const chunks = await collect(backend.streamGenerateContent!({ ...ask('Capital of France?'), generationConfig: { thinkingConfig: { includeThoughts: true } } }, call()));
  const body = onlyRequest();
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(server.requests[0]?.headers.accept, 'text/event-stream');
  assert.deepEqual(
    chunks.map((chunk) => chunk.candidates?.[0]?.content?.parts?.[0]),
    [{ text: 'Short answer needed.', thought: true }, { text: 'The capital' }, { text: ' of France' }, { text: ' is Paris.' }, undefined],
  );
  assert.ok(chunks.every((chunk) => chunk.responseId === 'chatcmpl-5b7e2d9c41a84f0f9d3c6b2a1e0f8d7c' && chunk.modelVersion === 'Qwen/Qwen3-8B'));
  const last = chunks.at(-1)!;
  assert.deepEqual(last.candidates, [{ content: { role: 'model' }, finishReason: 'STOP', index: 0 }]);
  assert.deepEqual(last.usageMetadata, { promptTokenCount: 18, candidatesTokenCount: 17, totalTokenCount: 35, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 18 }] });
});

test('streamed tool calls are assembled from their argument deltas into the last chunk', async () => {
  const backend = backendFor();
  server.setHandler(() => ({ sse: loadFixture<unknown[]>('chat-completion-chunks-tool-calls') }));
  const chunks = await collect(backend.streamGenerateContent!({ ...ask('Weather?'), tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] }, call()));
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0]?.candidates, [
    { content: { role: 'model', parts: [{ functionCall: { id: 'call_Jx8mQ2rT5vW9yB1dF3hK6nP0', name: 'get_weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP', index: 0 },
  ]);
  assert.equal(chunks[0]?.usageMetadata?.totalTokenCount, 96);
});

test('stream failures: HTTP errors, errors reported mid-stream, streams cut short, aborts', async () => {
  const backend = backendFor();
  server.setHandler(() => ({ status: 503, text: 'overloaded' }));
  const unavailable = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
  assert.deepEqual([unavailable.status, unavailable.retryable], ['UNAVAILABLE', true]);
  const chunks = loadFixture<unknown[]>('chat-completion-chunks');
  server.setHandler(() => ({ sse: [...chunks.slice(0, 3), { error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } }] }));
  const midStream = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
  assert.deepEqual([midStream.status, midStream.retryable], ['INTERNAL', true]);
  assert.match(midStream.message, /CUDA out of memory/);
  server.setHandler(() => ({ sse: chunks.slice(0, 3), isDoneSent: false }));
  const cut = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
  assert.deepEqual([cut.status, cut.retryable], ['UNAVAILABLE', true]);
  server.setHandler(() => ({ sse: chunks, chunkDelayMs: 5000 }));
  const controller = new AbortController();
  const started = performance.now();
  const aborted = failure(collect(backend.streamGenerateContent!(ask('hi'), call(controller.signal))));
  setTimeout(() => controller.abort(), 50);
  const error = await aborted;
  assert.deepEqual([error.status, error.retryable], ['CANCELLED', false]);
  assert.ok(performance.now() - started < 1000, 'the stream stopped at once');
  const early = await failure(collect(backend.streamGenerateContent!(ask('hi'), call(AbortSignal.abort()))));
  assert.equal(early.status, 'CANCELLED');
});

test('embedContent posts the text with dimensions to /embeddings and returns the vector', async () => {
  const backend = backendFor({ embeddingModel: 'text-embedding-3-small' });
  const response = await backend.embedContent!(
    { content: { parts: [{ text: 'Hello' }, { text: 'world' }] }, title: 'Greeting', taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 8 },
    call(),
  );
  assert.deepEqual(response, { embedding: { values: [-0.0069, -0.0053, 0.0142, -0.0251, 0.0318, 0.0045, -0.0117, 0.0209] } });
  assert.equal(server.requests[0]?.path, '/v1/embeddings');
  assert.deepEqual(onlyRequest(), { model: 'text-embedding-3-small', input: 'Greeting\n\nHello\nworld', encoding_format: 'float', dimensions: 8 });
  const cut = await backend.embedContent!({ content: { parts: [{ text: 'Hello' }] }, outputDimensionality: 3 }, call());
  assert.deepEqual(cut.embedding.values, [-0.0069, -0.0053, 0.0142], 'a server that ignores dimensions is cut to size');
  const image = await failure(backend.embedContent!({ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }] } }, call()));
  assert.deepEqual([image.status, image.retryable], ['INVALID_ARGUMENT', false]);
});

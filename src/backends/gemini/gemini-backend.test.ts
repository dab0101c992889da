import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { fixture, startFakeGemini, type FakeGeminiServer } from '../../../test/fixtures/gemini/fake-gemini-server.js';
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import { BackendError, type CallOptions } from '../backend.js';
import { createGeminiBackend, type GeminiBackend, type GeminiBackendOptions } from './gemini-backend.js';

const API_KEY = 'AIzaSy-test-key-0123456789abcdef';
const MODEL = 'gemini-2.5-flash';

let fake: FakeGeminiServer;
const backends: GeminiBackend[] = [];

before(async () => {
  fake = await startFakeGemini({ apiKey: API_KEY });
});
after(async () => {
  await Promise.all(backends.map((backend) => backend.close()));
  await fake.close();
});

function backendFor(options: Partial<GeminiBackendOptions> = {}): GeminiBackend {
  const backend = createGeminiBackend({ baseUrl: fake.baseUrl, apiKey: API_KEY, ...options });
  backends.push(backend);
  return backend;
}

const call = (signal = new AbortController().signal, model = MODEL): CallOptions => ({ model, signal });
const ask = (text: string): GenerateContentRequest => ({ contents: [{ role: 'user', parts: [{ text }] }] });
const lastReceived = () => fake.received.at(-1)!;

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BackendError, `expected a BackendError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

async function collect(stream: AsyncIterable<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** A request using every top-level field a batch line may carry, nested shapes included. */
const FULL_REQUEST = {
  model: `models/${MODEL}`,
  contents: [
    { role: 'user', parts: [{ text: 'What is the weather in Lyon?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Lyon', unit_system: 'metric' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21.5, sky: 'clear' } } }] },
  ],
  systemInstruction: { role: 'user', parts: [{ text: 'Answer in one sentence.' }] },
  tools: [
    {
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Current weather of a city',
          parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, unit_system: { type: 'STRING', enum: ['metric', 'imperial'] } }, required: ['city'] },
        },
        { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { time_zone: { type: 'string' } }, additionalProperties: false } },
      ],
    },
    { googleSearch: {} },
  ],
  toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
  safetySettings: [
    { category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' },
    { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_NONE' },
  ],
  generationConfig: {
    temperature: 0.2,
    topP: 0.95,
    topK: 40,
    maxOutputTokens: 1024,
    candidateCount: 1,
    stopSequences: ['END'],
    seed: 7,
    presencePenalty: 0.1,
    frequencyPenalty: -0.1,
    responseMimeType: 'application/json',
    responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING', nullable: true } }, propertyOrdering: ['answer'] },
    responseJsonSchema: { type: 'object', properties: { answer: { type: ['string', 'null'] } }, $defs: {} },
    thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 },
  },
  cachedContent: 'cachedContents/abc123',
  labels: { team: 'search', cost_center: 'cc-42' },
} satisfies GenerateContentRequest;

test('generateContent forwards every field as given (bar model) and returns the response unchanged', async () => {
  const backend = backendFor();
  const response = await backend.generateContent(structuredClone(FULL_REQUEST), call());
  const received = lastReceived();
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
  assert.equal(lastReceived().rejected, undefined);
  assert.equal(lastReceived().model, 'gemini-2.5-pro');
  assert.deepEqual(lastReceived().body, ask('hi'));
  await backendFor().generateContent(ask('hi'), call(undefined, 'gemini-2.0-flash'));
  assert.equal(lastReceived().model, 'gemini-2.0-flash');
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
  fake.replyNext({ status: 200, json: withToken });
  const response = await backendFor().generateContent(ask('long'), call());
  assert.equal(response.candidates?.[0]?.continuationToken, undefined);
  assert.equal(response.candidates?.[0]?.finishReason, 'CONTINUATION');
  assert.deepEqual(response.candidates?.[0]?.content, withToken.candidates![0]!.content);

  fake.replyNext({ events: [withToken] });
  const [chunk] = await collect(backendFor().streamGenerateContent!(ask('long'), call()));
  assert.ok(chunk !== undefined && !('continuationToken' in chunk.candidates![0]!));
});

test('streamGenerateContent posts to :streamGenerateContent?alt=sse and yields each event, UTF-8 split across chunks', async () => {
  const chunks = await collect(backendFor().streamGenerateContent!({ ...FULL_REQUEST }, call()));
  const received = lastReceived();
  assert.equal(received.rejected, undefined);
  assert.equal(received.path, `/v1beta/models/${MODEL}:streamGenerateContent`);
  assert.equal(received.query.get('alt'), 'sse');
  const { model: _model, ...expected } = FULL_REQUEST;
  assert.deepEqual(received.body, expected);
  assert.deepEqual(chunks, fixture('generate-content-stream.json'));
});

test('a front end that ignores alt=sse and answers a JSON array still streams its chunks', async () => {
  fake.replyNext({ status: 200, json: fixture('generate-content-stream.json') });
  assert.deepEqual(await collect(backendFor().streamGenerateContent!(ask('hi'), call())), fixture('generate-content-stream.json'));
});

test('a stream event carrying {"error":…} becomes a BackendError after the chunks before it', async () => {
  const [first] = fixture('generate-content-stream.json') as GenerateContentResponse[];
  fake.replyNext({ events: [first, fixture('error-503-overloaded.json')] });
  const seen: GenerateContentResponse[] = [];
  const error = await failure(
    (async () => {
      for await (const chunk of backendFor().streamGenerateContent!(ask('hi'), call())) seen.push(chunk);
    })(),
  );
  assert.deepEqual(seen, [first]);
  assert.equal(error.status, 'UNAVAILABLE');
  assert.equal(error.retryable, true);
  assert.match(error.message, /The model is overloaded/);
});

test('a stream that fails before its first event maps the HTTP error; breaking off early frees the call', async () => {
  fake.replyNext({ status: 429, json: fixture('error-429-retry-info.json') });
  const error = await failure(collect(backendFor().streamGenerateContent!(ask('hi'), call())));
  assert.equal(error.status, 'RESOURCE_EXHAUSTED');
  assert.equal(error.retryAfterMs, 12_000);

  const backend = backendFor({ maxConnections: 1 });
  for await (const _chunk of backend.streamGenerateContent!(ask('hi'), call())) break;
  const response = await backend.generateContent(ask('again'), call());
  assert.ok(response.candidates?.length === 1, 'the single connection was released');
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
  const received = lastReceived();
  assert.equal(received.rejected, undefined);
  assert.equal(received.path, '/v1beta/models/gemini-embedding-001:embedContent');
  assert.deepEqual(received.body, { content: request.content, taskType: 'RETRIEVAL_DOCUMENT', title: 'Life', outputDimensionality: 8 });
  assert.deepEqual(response, fixture('embed-content-response.json'));
});

test('countTokens sends {contents}, or {generateContentRequest} naming the model when context counts', async () => {
  const backend = backendFor();
  assert.equal(await backend.countTokens!({ ...ask('count me'), generationConfig: { temperature: 1 } }, call()), 31);
  assert.equal(lastReceived().rejected, undefined);
  assert.equal(lastReceived().path, `/v1beta/models/${MODEL}:countTokens`);
  assert.deepEqual(lastReceived().body, ask('count me'));

  assert.equal(await backend.countTokens!(structuredClone(FULL_REQUEST), call()), 31);
  assert.equal(lastReceived().rejected, undefined);
  const { model: _model, ...rest } = FULL_REQUEST;
  assert.deepEqual(lastReceived().body, { generateContentRequest: { model: `models/${MODEL}`, ...rest } });

  fake.replyNext({ status: 200, json: {} });
  assert.equal(await backend.countTokens!(ask(''), call()), 0, 'proto3 omits a zero totalTokens');
});

test('429 with a RetryInfo detail is retryable RESOURCE_EXHAUSTED with retryAfterMs; Retry-After wins', async () => {
  fake.replyNext({ status: 429, json: fixture('error-429-retry-info.json') });
  const error = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.equal(error.status, 'RESOURCE_EXHAUSTED');
  assert.equal(error.retryable, true);
  assert.equal(error.httpStatus, 429);
  assert.equal(error.retryAfterMs, 12_000);
  assert.match(error.message, /You exceeded your current quota/);

  fake.replyNext({ status: 429, json: fixture('error-429-retry-info.json'), headers: { 'retry-after': '3' } });
  assert.equal((await failure(backendFor().generateContent(ask('hi'), call()))).retryAfterMs, 3000);
});

test('HTTP errors map to google.rpc statuses; transient ones retryable, request faults not', async () => {
  const backend = backendFor();
  const cases: [number, unknown, string, boolean][] = [
    [503, fixture('error-503-overloaded.json'), 'UNAVAILABLE', true],
    [500, { error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' } }, 'INTERNAL', true],
    [502, '<html><body>Bad Gateway</body></html>', 'UNAVAILABLE', true],
    [504, { error: { code: 504, message: 'Deadline expired before operation could complete.', status: 'DEADLINE_EXCEEDED' } }, 'DEADLINE_EXCEEDED', true],
    [408, '', 'DEADLINE_EXCEEDED', true],
    [400, { error: { code: 400, message: 'User location is not supported for the API use.', status: 'FAILED_PRECONDITION' } }, 'FAILED_PRECONDITION', false],
    [403, 'Forbidden', 'PERMISSION_DENIED', false],
    [409, { error: { code: 409, message: 'conflict' } }, 'ALREADY_EXISTS', false],
    [413, 'Request Entity Too Large', 'INVALID_ARGUMENT', false],
  ];
  for (const [status, body, expected, retryable] of cases) {
    fake.replyNext(typeof body === 'string' ? { status, text: body } : { status, json: body });
    const error = await failure(backend.generateContent(ask('hi'), call()));
    assert.deepEqual([error.httpStatus, error.status, error.retryable], [status, expected, retryable], `HTTP ${status}`);
    assert.equal(error.retryAfterMs, undefined);
  }
});

test('a request the API rejects fails at once with the upstream message (unknown field, bad key, no model)', async () => {
  const unknownField = await failure(backendFor().generateContent({ ...ask('hi'), bogusField: 1 }, call()));
  assert.equal(lastReceived().rejected !== undefined, true);
  assert.deepEqual([unknownField.status, unknownField.retryable, unknownField.httpStatus], ['INVALID_ARGUMENT', false, 400]);
  assert.match(unknownField.message, /Unknown name "bogusField": Cannot find field/);

  const wrongKey = 'AIzaSy-wrong-key-fedcba9876543210';
  const badKey = await failure(backendFor({ apiKey: wrongKey }).generateContent(ask('hi'), call()));
  assert.deepEqual([badKey.status, badKey.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(badKey.message, /API key not valid/);

  const missing = await failure(backendFor().embedContent!({ content: { parts: [{ text: 'x' }] } }, call(undefined, 'no-such-model')));
  assert.deepEqual([missing.status, missing.retryable], ['NOT_FOUND', false]);
  assert.match(missing.message, /models\/no-such-model is not found/);
});

test('the API key never appears in an error message, even when upstream echoes it', async () => {
  fake.replyNext({ status: 400, json: { error: { code: 400, message: `key ${API_KEY} is suspended`, status: 'INVALID_ARGUMENT' } } });
  const error = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.ok(!error.message.includes(API_KEY), error.message);
  assert.match(error.message, /key \[redacted\] is suspended/);
});

test('connection refused is retryable UNAVAILABLE', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const backend = createGeminiBackend({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY });
  try {
    const error = await failure(backend.generateContent(ask('hi'), call()));
    assert.deepEqual([error.status, error.retryable], ['UNAVAILABLE', true]);
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(!error.message.includes(API_KEY));
    const streamError = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
    assert.deepEqual([streamError.status, streamError.retryable], ['UNAVAILABLE', true]);
  } finally {
    await backend.close();
  }
});

test('an abort rejects promptly with CANCELLED (not retryable), in flight or before the call', async () => {
  const backend = backendFor();
  fake.replyNext({ hang: true });
  const controller = new AbortController();
  const started = performance.now();
  const pending = failure(backend.generateContent(ask('slow'), call(controller.signal)));
  setTimeout(() => controller.abort(), 30);
  const error = await pending;
  assert.ok(performance.now() - started < 1000, 'rejected promptly');
  assert.deepEqual([error.status, error.retryable], ['CANCELLED', false]);

  fake.replyNext({ hang: true });
  const streamController = new AbortController();
  const streaming = failure(collect(backend.streamGenerateContent!(ask('slow'), call(streamController.signal))));
  setTimeout(() => streamController.abort(), 30);
  assert.equal((await streaming).status, 'CANCELLED');

  const before = fake.received.length;
  assert.equal((await failure(backend.countTokens!(ask('x'), call(AbortSignal.abort())))).status, 'CANCELLED');
  assert.equal(fake.received.length, before, 'nothing was sent');
});

test('a call past timeoutMs is retryable DEADLINE_EXCEEDED', async () => {
  fake.replyNext({ hang: true });
  const started = performance.now();
  const error = await failure(backendFor({ timeoutMs: 100 }).generateContent(ask('slow'), call()));
  assert.deepEqual([error.status, error.retryable], ['DEADLINE_EXCEEDED', true]);
  assert.ok(performance.now() - started < 1000);
});

test('many calls sharing one signal all cancel on abort, with no listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    const backend = backendFor();
    const controller = new AbortController();
    const pending = Array.from({ length: 40 }, () => {
      fake.replyNext({ hang: true });
      return failure(backend.generateContent(ask('slow'), call(controller.signal)));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const errors = await Promise.all(pending);
    assert.ok(errors.every((error) => error.status === 'CANCELLED'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('a 200 whose body is not a response fails without retry', async () => {
  fake.replyNext({ status: 200, text: '<html>captive portal</html>' });
  const error = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.deepEqual([error.status, error.retryable], ['UNKNOWN', false]);
  fake.replyNext({ status: 200, json: { embedding: { values: ['x'] } } });
  assert.equal((await failure(backendFor().embedContent!({ content: { parts: [{ text: 'x' }] } }, call()))).status, 'UNKNOWN');
});

test('bad options throw', () => {
  assert.throws(() => createGeminiBackend({ apiKey: '' }), RangeError);
  assert.throws(() => createGeminiBackend({ apiKey: API_KEY, baseUrl: 'ftp://example.com' }), RangeError);
  assert.throws(() => createGeminiBackend({ apiKey: API_KEY, timeoutMs: 0 }), RangeError);
  assert.throws(() => createGeminiBackend({ apiKey: API_KEY, maxConnections: 0 }), RangeError);
});

test('the fake rejects what the real API rejects, so the checks above can fail', async () => {
  const post = async (path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> => {
    const response = await request(`${fake.baseUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
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

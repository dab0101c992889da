// Tests of the Gemini backend's streaming: SSE events, a JSON-array answer, errors mid-stream, breaking off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../../test/fixtures/gemini/fake-gemini-server.js';
import type { GenerateContentResponse } from '../../core/gemini-types.js';
import { ask, collect, failure } from '../testing/backend-test-kit.js';
import { call, FULL_REQUEST, MODEL, useFakeGemini } from './testing/gemini-test-kit.js';

const gemini = useFakeGemini();
const { backendFor } = gemini;

test('streamGenerateContent posts to :streamGenerateContent?alt=sse and yields each event, UTF-8 split across chunks', async () => {
  const chunks = await collect(backendFor().streamGenerateContent!({ ...FULL_REQUEST }, call()));
  const received = gemini.fake.received.at(-1)!;
  assert.equal(received.rejected, undefined);
  assert.equal(received.path, `/v1beta/models/${MODEL}:streamGenerateContent`);
  assert.equal(received.query.get('alt'), 'sse');
  const { model: _model, ...expected } = FULL_REQUEST;
  assert.deepEqual(received.body, expected);
  assert.deepEqual(chunks, fixture('generate-content-stream.json'));
});

test('a front end that ignores alt=sse and answers a JSON array still streams its chunks', async () => {
  gemini.fake.replyNext({ status: 200, json: fixture('generate-content-stream.json') });
  assert.deepEqual(await collect(backendFor().streamGenerateContent!(ask('hi'), call())), fixture('generate-content-stream.json'));
});

test('a stream event carrying {"error":…} becomes a BackendError after the chunks before it', async () => {
  const [first] = fixture('generate-content-stream.json') as GenerateContentResponse[];
  gemini.fake.replyNext({ events: [first, fixture('error-503-overloaded.json')] });
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
  gemini.fake.replyNext({ status: 429, json: fixture('error-429-retry-info.json') });
  const error = await failure(collect(backendFor().streamGenerateContent!(ask('hi'), call())));
  assert.equal(error.status, 'RESOURCE_EXHAUSTED');
  assert.equal(error.retryAfterMs, 12_000);

  const backend = backendFor({ maxConnections: 1 });
  for await (const _chunk of backend.streamGenerateContent!(ask('hi'), call())) break;
  const response = await backend.generateContent(ask('again'), call());
  assert.ok(response.candidates?.length === 1, 'the single connection was released');
});

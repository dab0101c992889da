// Tests of the OpenAI backend's streaming: text deltas, tool-call deltas, failures mid-stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ask, collect, countArrivals, failure } from '../testing/backend-test-kit.js';
import { loadFixture } from './testing/load-fixture.js';
import { call, useFakeOpenAI } from './testing/openai-test-kit.js';

const openai = useFakeOpenAI();
const { backendFor, onlyRequest } = openai;

test('streamGenerateContent yields text deltas, then a last chunk with the finish reason and usage', async () => {
  const backend = backendFor();
  openai.server.setHandler(() => ({ sse: loadFixture<unknown[]>('chat-completion-chunks') }));
  const chunks = await collect(backend.streamGenerateContent!({ ...ask('Capital of France?'), generationConfig: { thinkingConfig: { includeThoughts: true } } }, call()));
  const body = onlyRequest();
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(openai.server.requests[0]?.headers.accept, 'text/event-stream');
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
  openai.server.setHandler(() => ({ sse: loadFixture<unknown[]>('chat-completion-chunks-tool-calls') }));
  const chunks = await collect(backend.streamGenerateContent!({ ...ask('Weather?'), tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] }, call()));
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0]?.candidates, [
    { content: { role: 'model', parts: [{ functionCall: { id: 'call_Jx8mQ2rT5vW9yB1dF3hK6nP0', name: 'get_weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP', index: 0 },
  ]);
  assert.equal(chunks[0]?.usageMetadata?.totalTokenCount, 96);
});

test('stream failures: HTTP errors, errors reported mid-stream, streams cut short, aborts', async () => {
  const backend = backendFor();
  openai.server.setHandler(() => ({ status: 503, text: 'overloaded' }));
  const unavailable = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
  assert.deepEqual([unavailable.status, unavailable.retryable], ['UNAVAILABLE', true]);
  const chunks = loadFixture<unknown[]>('chat-completion-chunks');
  openai.server.setHandler(() => ({ sse: [...chunks.slice(0, 3), { error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } }] }));
  const midStream = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
  assert.deepEqual([midStream.status, midStream.retryable], ['INTERNAL', true]);
  assert.match(midStream.message, /CUDA out of memory/);
  openai.server.setHandler(() => ({ sse: chunks.slice(0, 3), isDoneSent: false }));
  const cut = await failure(collect(backend.streamGenerateContent!(ask('hi'), call())));
  assert.deepEqual([cut.status, cut.retryable], ['UNAVAILABLE', true]);
  const streaming = countArrivals(1);
  openai.server.setHandler(() => {
    streaming.arrive();
    return { sse: chunks, chunkDelayMs: 5000 };
  });
  const controller = new AbortController();
  const started = performance.now();
  const aborted = failure(collect(backend.streamGenerateContent!(ask('hi'), call(controller.signal))));
  await streaming.all;
  controller.abort();
  const error = await aborted;
  assert.deepEqual([error.status, error.retryable], ['CANCELLED', false]);
  assert.ok(performance.now() - started < 1000, 'the stream stopped at once');
  const early = await failure(collect(backend.streamGenerateContent!(ask('hi'), call(AbortSignal.abort()))));
  assert.equal(early.status, 'CANCELLED');
});

// Tests of the OpenAI backend's failures: statuses, Retry-After, transport errors, aborts, calls sharing a signal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ask, closedPort, countArrivals, failure, warningsDuring } from '../testing/backend-test-kit.js';
import { loadFixture } from './testing/load-fixture.js';
import { call, useFakeOpenAI } from './testing/openai-test-kit.js';

const openai = useFakeOpenAI();
const { backendFor } = openai;

test('429 with Retry-After is RESOURCE_EXHAUSTED, retryable, with retryAfterMs and the upstream message', async () => {
  const backend = backendFor();
  openai.server.setHandler(() => ({ status: 429, headers: { 'retry-after': '2' }, json: loadFixture('error-openai-rate-limit') }));
  const limited = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([limited.status, limited.retryable, limited.retryAfterMs, limited.httpStatus], ['RESOURCE_EXHAUSTED', true, 2000, 429]);
  assert.match(limited.message, /answered HTTP 429: Rate limit reached for gpt-4o-mini/);
  openai.server.setHandler(() => ({ status: 429, headers: { 'retry-after-ms': '120', 'retry-after': '1' }, json: loadFixture('error-openai-rate-limit') }));
  assert.equal((await failure(backend.generateContent(ask('hi'), call()))).retryAfterMs, 120);
});

test('503 is retryable UNAVAILABLE; 400 and 404 are not retried and carry the server message', async () => {
  const backend = backendFor();
  openai.server.setHandler(() => ({ status: 503, text: 'no healthy upstream' }));
  const unavailable = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([unavailable.status, unavailable.retryable], ['UNAVAILABLE', true]);
  assert.match(unavailable.message, /HTTP 503: no healthy upstream/);
  openai.server.setHandler(() => ({ status: 400, json: loadFixture('error-vllm-context-length') }));
  const invalid = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([invalid.status, invalid.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(invalid.message, /maximum context length is 4096 tokens/);
  openai.server.setHandler(() => ({ status: 404, json: loadFixture('error-vllm-legacy') }));
  const notFound = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([notFound.status, notFound.retryable], ['NOT_FOUND', false]);
  assert.match(notFound.message, /does not exist/);
  openai.server.setHandler(() => ({ text: '<html>Open WebUI</html>' }));
  const html = await failure(backend.generateContent(ask('hi'), call()));
  assert.deepEqual([html.status, html.retryable], ['INTERNAL', false]);
});

test('connection refused and dropped connections are retryable UNAVAILABLE; a slow server DEADLINE_EXCEEDED', async () => {
  const refused = await failure(backendFor({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` }).generateContent(ask('hi'), call()));
  assert.deepEqual([refused.status, refused.retryable], ['UNAVAILABLE', true]);
  assert.match(refused.message, /ECONNREFUSED/);
  openai.server.setHandler(() => ({ destroy: true }));
  const dropped = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.deepEqual([dropped.status, dropped.retryable], ['UNAVAILABLE', true]);
  openai.server.setHandler(() => ({ json: loadFixture('chat-completion-vllm'), delayMs: 2000 }));
  const slow = await failure(backendFor({ timeoutMs: 150 }).generateContent(ask('hi'), call()));
  assert.deepEqual([slow.status, slow.retryable], ['DEADLINE_EXCEEDED', true]);
});

test('an abort rejects promptly with CANCELLED (not retryable), before or during the call, without listener warnings', async () => {
  const warnings = await warningsDuring(async () => {
    const backend = backendFor();
    const early = await failure(backend.generateContent(ask('hi'), call(AbortSignal.abort())));
    assert.deepEqual([early.status, early.retryable], ['CANCELLED', false]);
    assert.equal(openai.server.requests.length, 0);
    const inFlight = countArrivals(40);
    openai.server.setHandler(() => {
      inFlight.arrive();
      return { json: loadFixture('chat-completion-vllm'), delayMs: 10_000 };
    });
    const controller = new AbortController();
    const started = performance.now();
    const pending = Array.from({ length: 40 }, () => failure(backend.generateContent(ask('slow'), call(controller.signal))));
    await inFlight.all;
    controller.abort();
    const errors = await Promise.all(pending);
    assert.ok(performance.now() - started < 1000, 'rejected long before the server answered');
    assert.ok(errors.every((error) => error.status === 'CANCELLED' && !error.retryable));
  });
  assert.deepEqual(warnings, []);
});

test('many concurrent calls share one signal and all succeed', async () => {
  const backend = backendFor({ maxConnections: 8 });
  const signal = new AbortController().signal;
  const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => backend.generateContent(ask(`q${index}`), call(signal))));
  assert.equal(responses.length, 100);
  assert.ok(responses.every((response) => response.candidates?.[0]?.finishReason === 'STOP'));
  assert.ok(openai.server.requests.every((request) => request.problems.length === 0));
});

// Tests of the OpenAI error mapping: HTTP statuses, transport failures and errors reported in a stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorFromFailure, errorFromStatus, errorFromStreamEvent } from './classify-error.js';
import { loadFixture } from './testing/load-fixture.js';

const SERVER = 'http://gpu-box:8000/v1';
const NOW = Date.parse('2025-07-11T12:00:00Z');
const live = new AbortController().signal;

test('HTTP statuses map to google.rpc statuses; only overload, server faults and timeouts are retried', () => {
  const table: [number, string, boolean][] = [
    [400, 'INVALID_ARGUMENT', false],
    [401, 'PERMISSION_DENIED', false],
    [403, 'PERMISSION_DENIED', false],
    [404, 'NOT_FOUND', false],
    [408, 'DEADLINE_EXCEEDED', true],
    [409, 'FAILED_PRECONDITION', false],
    [413, 'INVALID_ARGUMENT', false],
    [422, 'INVALID_ARGUMENT', false],
    [429, 'RESOURCE_EXHAUSTED', true],
    [500, 'INTERNAL', true],
    [501, 'UNIMPLEMENTED', false],
    [502, 'UNAVAILABLE', true],
    [503, 'UNAVAILABLE', true],
    [504, 'DEADLINE_EXCEEDED', true],
    [529, 'UNAVAILABLE', true],
  ];
  for (const [httpStatus, status, retryable] of table) {
    const error = errorFromStatus(httpStatus, { 'retry-after': '3' }, '', SERVER, NOW);
    assert.deepEqual([error.status, error.retryable, error.httpStatus], [status, retryable, httpStatus], String(httpStatus));
    assert.equal(error.retryAfterMs, retryable ? 3000 : undefined, `${httpStatus} retryAfterMs`);
    assert.equal(error.message, `the OpenAI-compatible server ${SERVER} answered HTTP ${httpStatus}`);
  }
});

test('the upstream message is read from every error body shape servers use', () => {
  const bodies: [unknown, string][] = [
    [loadFixture('error-openai-rate-limit'), 'Rate limit reached for gpt-4o-mini'],
    [loadFixture('error-vllm-context-length'), "This model's maximum context length is 4096 tokens."],
    [loadFixture('error-vllm-legacy'), 'The model `gemini-2.5-flash` does not exist.'],
    [{ error: 'model "llama9" not found, try pulling it first' }, 'model "llama9" not found'],
    [{ detail: [{ loc: ['body', 'messages', 0], msg: 'field required', type: 'missing' }] }, 'body.messages.0: field required'],
    ['upstream connect error or disconnect/reset before headers', 'upstream connect error'],
  ];
  for (const [body, expected] of bodies) {
    const error = errorFromStatus(400, {}, typeof body === 'string' ? body : JSON.stringify(body), SERVER);
    assert.ok(error.message.startsWith(`the OpenAI-compatible server ${SERVER} answered HTTP 400: ${expected}`), error.message);
  }
  assert.ok(errorFromStatus(500, {}, 'x'.repeat(5000), SERVER).message.length < 1200, 'long bodies are clipped');
});

test('transport failures are retryable: timeouts DEADLINE_EXCEEDED, the rest UNAVAILABLE; aborts CANCELLED; bugs INTERNAL', () => {
  const coded = (code: string): Error => Object.assign(new Error(`failed with ${code}`), { code });
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND']) {
    const error = errorFromFailure(coded(code), live, SERVER);
    assert.deepEqual([error.status, error.retryable], ['UNAVAILABLE', true], code);
    assert.ok(error.message.includes(SERVER) && error.message.includes(code));
  }
  for (const code of ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
    assert.deepEqual([errorFromFailure(coded(code), live, SERVER).status, errorFromFailure(coded(code), live, SERVER).retryable], ['DEADLINE_EXCEEDED', true], code);
  }
  const happyEyeballs = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], '');
  assert.equal(errorFromFailure(happyEyeballs, live, SERVER).status, 'UNAVAILABLE');
  const cancelled = errorFromFailure(coded('ECONNRESET'), AbortSignal.abort(), SERVER);
  assert.deepEqual([cancelled.status, cancelled.retryable], ['CANCELLED', false]);
  const bug = errorFromFailure(new TypeError('x is not a function'), live, SERVER);
  assert.deepEqual([bug.status, bug.retryable], ['INTERNAL', false]);
});

test('an error reported inside a stream uses its numeric code as the HTTP status', () => {
  const overloaded = errorFromStreamEvent(JSON.stringify({ error: { message: 'engine overloaded', type: 'ServiceUnavailable', code: 503 } }), SERVER);
  assert.deepEqual([overloaded.status, overloaded.retryable], ['UNAVAILABLE', true]);
  assert.match(overloaded.message, /failed mid-stream: engine overloaded/);
  const unknown = errorFromStreamEvent('{"message":"boom"}', SERVER);
  assert.deepEqual([unknown.status, unknown.retryable], ['INTERNAL', true]);
});

// Tests of the Gemini backend's failures: statuses, Retry-After, the key redacted, transport errors, aborts, deadlines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../../test/fixtures/gemini/fake-gemini-server.js';
import { ask, closedPort, collect, failure, warningsDuring } from '../testing/backend-test-kit.js';
import { createGeminiBackend } from './gemini-backend.js';
import { API_KEY, call, useFakeGemini } from './testing/gemini-test-kit.js';

const gemini = useFakeGemini();
const { backendFor } = gemini;

test('429 with a RetryInfo detail is retryable RESOURCE_EXHAUSTED with retryAfterMs; Retry-After wins', async () => {
  gemini.fake.replyNext({ status: 429, json: fixture('error-429-retry-info.json') });
  const error = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.equal(error.status, 'RESOURCE_EXHAUSTED');
  assert.equal(error.retryable, true);
  assert.equal(error.httpStatus, 429);
  assert.equal(error.retryAfterMs, 12_000);
  assert.match(error.message, /You exceeded your current quota/);

  gemini.fake.replyNext({ status: 429, json: fixture('error-429-retry-info.json'), headers: { 'retry-after': '3' } });
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
    gemini.fake.replyNext(typeof body === 'string' ? { status, text: body } : { status, json: body });
    const error = await failure(backend.generateContent(ask('hi'), call()));
    assert.deepEqual([error.httpStatus, error.status, error.retryable], [status, expected, retryable], `HTTP ${status}`);
    assert.equal(error.retryAfterMs, undefined);
  }
});

test('a request the API rejects fails at once with the upstream message (unknown field, bad key, no model)', async () => {
  const unknownField = await failure(backendFor().generateContent({ ...ask('hi'), bogusField: 1 }, call()));
  assert.equal(gemini.fake.received.at(-1)!.rejected !== undefined, true);
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
  gemini.fake.replyNext({ status: 400, json: { error: { code: 400, message: `key ${API_KEY} is suspended`, status: 'INVALID_ARGUMENT' } } });
  const error = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.ok(!error.message.includes(API_KEY), error.message);
  assert.match(error.message, /key \[redacted\] is suspended/);
});

test('connection refused is retryable UNAVAILABLE', async () => {
  const backend = createGeminiBackend({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: API_KEY });
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
  gemini.fake.replyNext({ hang: true });
  const controller = new AbortController();
  const received = gemini.fake.whenReceived(gemini.fake.received.length + 1);
  const started = performance.now();
  const pending = failure(backend.generateContent(ask('slow'), call(controller.signal)));
  // Abort once the fake holds the request: the call is in flight.
  await received;
  controller.abort();
  const error = await pending;
  assert.ok(performance.now() - started < 1000, 'rejected promptly');
  assert.deepEqual([error.status, error.retryable], ['CANCELLED', false]);

  gemini.fake.replyNext({ hang: true });
  const streamController = new AbortController();
  const streamReceived = gemini.fake.whenReceived(gemini.fake.received.length + 1);
  const streaming = failure(collect(backend.streamGenerateContent!(ask('slow'), call(streamController.signal))));
  await streamReceived;
  streamController.abort();
  assert.equal((await streaming).status, 'CANCELLED');

  const before = gemini.fake.received.length;
  assert.equal((await failure(backend.countTokens!(ask('x'), call(AbortSignal.abort())))).status, 'CANCELLED');
  assert.equal(gemini.fake.received.length, before, 'nothing was sent');
});

test('a call past timeoutMs is retryable DEADLINE_EXCEEDED', async () => {
  gemini.fake.replyNext({ hang: true });
  const started = performance.now();
  const error = await failure(backendFor({ timeoutMs: 100 }).generateContent(ask('slow'), call()));
  assert.deepEqual([error.status, error.retryable], ['DEADLINE_EXCEEDED', true]);
  assert.ok(performance.now() - started < 1000);
});

test('many calls sharing one signal all cancel on abort, with no listener-leak warning', async () => {
  const warnings = await warningsDuring(async () => {
    const backend = backendFor();
    const controller = new AbortController();
    const allReceived = gemini.fake.whenReceived(gemini.fake.received.length + 40);
    const pending = Array.from({ length: 40 }, () => {
      gemini.fake.replyNext({ hang: true });
      return failure(backend.generateContent(ask('slow'), call(controller.signal)));
    });
    // Abort once all 40 are in flight, held by the fake.
    await allReceived;
    controller.abort();
    const errors = await Promise.all(pending);
    assert.ok(errors.every((error) => error.status === 'CANCELLED'));
  });
  assert.deepEqual(warnings, []);
});

test('a 200 whose body is not a response fails without retry', async () => {
  gemini.fake.replyNext({ status: 200, text: '<html>captive portal</html>' });
  const error = await failure(backendFor().generateContent(ask('hi'), call()));
  assert.deepEqual([error.status, error.retryable], ['UNKNOWN', false]);
  gemini.fake.replyNext({ status: 200, json: { embedding: { values: ['x'] } } });
  assert.equal((await failure(backendFor().embedContent!({ content: { parts: [{ text: 'x' }] } }, call()))).status, 'UNKNOWN');
});

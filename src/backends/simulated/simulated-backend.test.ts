// Tests of the simulated backend: latency, aborts, the transient error rate, scripted faults, streaming.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentResponse } from '../../core/gemini-types.js';
import { BackendError, type CallOptions } from '../backend.js';
import { createSimulatedBackend } from './simulated-backend.js';
import { simulatedFaultSchema } from './simulated-fault.js';
import { ask, warningsDuring } from '../testing/backend-test-kit.js';

const call = (attempt = 1, signal = new AbortController().signal): CallOptions => ({ model: 'gemini-2.5-flash', signal, attempt });
const outcome = async (promise: Promise<unknown>): Promise<BackendError | 'ok'> => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof BackendError, String(error));
    return error;
  }
};

test('latencyMs delays the answer', async () => {
  const backend = createSimulatedBackend({ latencyMs: 40 });
  const started = performance.now();
  await backend.generateContent(ask('slow'), call());
  assert.ok(performance.now() - started >= 39, 'waited the latency');
});

test('an abort rejects promptly with CANCELLED, during the latency or before the call', async () => {
  const backend = createSimulatedBackend({ latencyMs: 10_000 });
  const controller = new AbortController();
  const started = performance.now();
  const pending = outcome(backend.generateContent(ask('slow'), call(1, controller.signal)));
  // The call is already waiting out its latency: it started synchronously.
  controller.abort();
  const error = await pending;
  assert.ok(performance.now() - started < 1000, 'rejected long before the latency');
  assert.ok(error !== 'ok' && error.status === 'CANCELLED' && !error.retryable);
  const stream = backend.streamGenerateContent!(ask('slow'), call(1, AbortSignal.abort()));
  await assert.rejects(async () => {
    for await (const chunk of stream) assert.fail(`got ${JSON.stringify(chunk)}`);
  }, { status: 'CANCELLED' });
  const instant = createSimulatedBackend();
  await assert.rejects(instant.generateContent(ask('x'), call(1, AbortSignal.abort())), { status: 'CANCELLED', retryable: false });
});

test('many calls sharing one signal wait together and all cancel on abort, without listener warnings', async () => {
  const warnings = await warningsDuring(async () => {
    const backend = createSimulatedBackend({ latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = Array.from({ length: 50 }, (_, index) => outcome(backend.generateContent(ask(`q${index}`), call(1, controller.signal))));
    controller.abort();
    const results = await Promise.all(pending);
    assert.ok(results.every((result) => result !== 'ok' && result.status === 'CANCELLED'));
  });
  assert.deepEqual(warnings, []);
});

test('errorRate fails about that fraction of tries, the same way per (request, attempt); retries mostly succeed', async () => {
  const backend = createSimulatedBackend({ errorRate: 0.2 });
  const failedFirst: number[] = [];
  for (let index = 0; index < 2000; index++) {
    const result = await outcome(backend.generateContent(ask(`request ${index}`), call(1)));
    if (result === 'ok') continue;
    assert.equal(result.status, 'UNAVAILABLE');
    assert.equal(result.httpStatus, 503);
    assert.equal(result.retryable, true);
    failedFirst.push(index);
  }
  assert.ok(Math.abs(failedFirst.length / 2000 - 0.2) <= 0.03, `rate ${failedFirst.length / 2000}`);
  let failedAgain = 0;
  for (const index of failedFirst.slice(0, 100)) {
    assert.notEqual(await outcome(backend.generateContent(ask(`request ${index}`), call(1))), 'ok', 'same attempt, same outcome');
    if ((await outcome(backend.generateContent(ask(`request ${index}`), call(2)))) !== 'ok') failedAgain += 1;
  }
  assert.ok(failedAgain < 40, `${failedAgain} of 100 retries failed`);
  assert.equal(await outcome(createSimulatedBackend({ errorRate: 1 }).generateContent(ask('x'), call())) === 'ok', false);
  assert.throws(() => createSimulatedBackend({ errorRate: 1.5 }), RangeError);
});

test('a scripted 429 fault carries retryAfterMs and is retryable; other requests pass', async () => {
  const backend = createSimulatedBackend({ faults: [simulatedFaultSchema.parse({ match: 'over quota', error: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 7 })] });
  const error = await outcome(backend.generateContent({ ...ask('hello'), systemInstruction: { parts: [{ text: 'You are over quota' }] } }, call()));
  assert.ok(error !== 'ok');
  assert.deepEqual([error.status, error.httpStatus, error.retryAfterMs, error.retryable], ['RESOURCE_EXHAUSTED', 429, 7000, true]);
  assert.equal(await outcome(backend.generateContent(ask('all fine'), call())), 'ok');
});

test('a fault with attempts fails only those tries; non-retryable statuses say so', async () => {
  const backend = createSimulatedBackend({
    faults: [
      { match: 'flaky', error: 'INTERNAL', attempts: 2 },
      { match: 'bad', error: 'INVALID_ARGUMENT' },
    ],
  });
  const results: (BackendError | 'ok')[] = [];
  for (const attempt of [1, 2, 3]) results.push(await outcome(backend.generateContent(ask('a flaky one'), call(attempt))));
  assert.deepEqual(results.map((result) => (result === 'ok' ? 'ok' : [result.status, result.httpStatus, result.retryable])), [
    ['INTERNAL', 500, true],
    ['INTERNAL', 500, true],
    'ok',
  ]);
  const bad = await outcome(backend.generateContent(ask('a bad one'), call(5)));
  assert.ok(bad !== 'ok' && bad.status === 'INVALID_ARGUMENT' && bad.httpStatus === 400 && !bad.retryable);
});

test('timeout and reset faults', async () => {
  const backend = createSimulatedBackend({
    latencyMs: 15,
    faults: [
      { match: 'hang', error: 'UNAVAILABLE', kind: 'timeout' },
      { match: 'drop', error: 'UNAVAILABLE', kind: 'reset' },
    ],
  });
  const started = performance.now();
  const timeout = await outcome(backend.generateContent(ask('hang please'), call()));
  assert.ok(performance.now() - started >= 14);
  assert.ok(timeout !== 'ok' && timeout.status === 'DEADLINE_EXCEEDED' && timeout.retryable);
  const reset = await outcome(backend.generateContent(ask('drop it'), call()));
  assert.ok(reset !== 'ok' && reset.status === 'UNAVAILABLE' && reset.retryable);
  assert.match(reset.message, /connection reset by peer/);
});

test('the fault schema fills defaults and rejects unknown statuses and keys', () => {
  assert.deepEqual(simulatedFaultSchema.parse({ match: 'x' }), { match: 'x', error: 'UNAVAILABLE' });
  assert.equal(simulatedFaultSchema.safeParse({ match: 'x', error: 'TEAPOT' }).success, false);
  assert.equal(simulatedFaultSchema.safeParse({ match: 'x', retry_after: 3 }).success, false);
  assert.equal(simulatedFaultSchema.safeParse({ match: 'x', attempts: 0 }).success, false);
});

test('streaming yields 2–4 chunks whose texts concatenate to the non-streamed text', async () => {
  const backend = createSimulatedBackend();
  for (const [index, request] of [ask('Stream me a story'), ask('Another one'), { ...ask('Two'), generationConfig: { candidateCount: 2 } }].entries()) {
    const complete = await backend.generateContent(request, call());
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of backend.streamGenerateContent!(request, call())) chunks.push(chunk);
    assert.ok(chunks.length >= 2 && chunks.length <= 4, `request ${index}: ${chunks.length} chunks`);
    for (const [candidate, expected] of (complete.candidates ?? []).entries()) {
      const joined = chunks.map((chunk) => chunk.candidates?.[candidate]?.content?.parts?.[0]?.text ?? '').join('');
      assert.equal(joined, expected.content?.parts?.[0]?.text);
    }
    const last = chunks.at(-1)!;
    assert.equal(last.candidates?.[0]?.finishReason, complete.candidates?.[0]?.finishReason);
    assert.deepEqual(last.usageMetadata, complete.usageMetadata);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usageMetadata === undefined && chunk.candidates?.[0]?.finishReason === undefined));
    assert.ok(chunks.every((chunk) => chunk.responseId === complete.responseId));
  }
});

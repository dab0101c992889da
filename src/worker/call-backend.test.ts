/**
 * callBackend's per-try deadline: a backend that never answers is abandoned after its
 * `callTimeoutMs`, retried under the retry policy, and ends as a DEADLINE_EXCEEDED outcome; a
 * cancel still means "stop, no outcome". Once with a fake backend, once through the
 * OpenAI-compatible backend against an HTTP server that accepts requests and never answers
 * (every abandoned request's connection must be closed).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { BackendError, type CallOptions, type ModelBackend } from '../backends/backend.js';
import { createOpenAIBackend } from '../backends/openai/openai-backend.js';
import { withCallTimeout } from '../backends/with-call-timeout.js';
import type { GenerateContentRequest, GenerateContentResponse } from '../core/gemini-types.js';
import { pollUntil } from '../../test/support/poll.js';
import { abortableSleep } from '../lib/abort.js';
import { callBackend } from './call-backend.js';
import type { RetryPolicy } from './retry-policy.js';

const REQUEST: GenerateContentRequest = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] };
const ANSWER: GenerateContentResponse = { candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP' }] };
const RETRY: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 5 };

/** A backend whose tries listed in `hangOn` never answer (until their signal aborts, as a real transport would). */
function fakeBackend(hangOn: (attempt: number) => boolean, callTimeoutMs: number): ModelBackend & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  return {
    id: 'fake',
    callTimeoutMs,
    calls,
    generateContent(_request, options) {
      calls.push(options);
      if (!hangOn(options.attempt ?? 1)) return Promise.resolve(ANSWER);
      return new Promise((_resolve, reject) => {
        // An open socket, as a real call would hold: keeps the process alive while it hangs.
        const socket = setTimeout(() => undefined, 60_000);
        options.signal.addEventListener('abort', () => {
          clearTimeout(socket);
          reject(new BackendError('the call was cancelled', { status: 'CANCELLED', retryable: false }));
        }, { once: true });
      });
    },
  };
}

describe('callBackend with a backend that never answers', () => {
  test('each try is abandoned after callTimeoutMs and retried; the last ends as DEADLINE_EXCEEDED', async () => {
    const backend = fakeBackend(() => true, 60);
    const retried: BackendError[] = [];
    const began = performance.now();
    const outcome = await callBackend({
      backend, kind: 'generate', model: 'm', request: REQUEST, retry: RETRY,
      signal: new AbortController().signal, sleep: abortableSleep, onRetry: (error) => retried.push(error),
    });
    const elapsed = performance.now() - began;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? undefined : outcome.error.code, 4);
    assert.equal(outcome.ok ? undefined : outcome.error.status, 'DEADLINE_EXCEEDED');
    assert.match(outcome.ok ? '' : outcome.error.message, /did not answer within 0.06 s/);
    assert.deepEqual(backend.calls.map((call) => call.attempt), [1, 2, 3]);
    assert.ok(backend.calls.every((call) => call.signal.aborted), 'every abandoned try was told to stop');
    assert.deepEqual(retried.map((error) => [error.status, error.retryable]), [['DEADLINE_EXCEEDED', true], ['DEADLINE_EXCEEDED', true]]);
    assert.ok(elapsed >= 3 * 60, `3 tries of 60 ms took ${elapsed} ms`);
    assert.ok(elapsed < 2_000, `3 tries of 60 ms took ${elapsed} ms`);
  });

  test('a try that times out is retried, and the retry that answers wins', async () => {
    const backend = fakeBackend((attempt) => attempt === 1, 50);
    const outcome = await callBackend({ backend, kind: 'generate', model: 'm', request: REQUEST, retry: RETRY, signal: new AbortController().signal, sleep: abortableSleep });
    assert.deepEqual(outcome, { ok: true, response: ANSWER });
    assert.equal(backend.calls.length, 2);
  });

  test("a cancel during a hanging try rejects with the caller's reason: no outcome, no retry", async () => {
    const hanging = fakeBackend(() => true, 5_000);
    let markInFlight = (): void => undefined;
    const inFlight = new Promise<void>((resolve) => {
      markInFlight = resolve;
    });
    const backend: ModelBackend & { calls: CallOptions[] } = {
      ...hanging,
      generateContent: (request, options) => {
        const pending = hanging.generateContent(request, options);
        markInFlight();
        return pending;
      },
    };
    const caller = new AbortController();
    const reason = new Error('batch cancelled');
    const call = callBackend({ backend, kind: 'generate', model: 'm', request: REQUEST, retry: RETRY, signal: caller.signal, sleep: abortableSleep });
    // Cancel once the first try is in flight (hanging in the backend).
    await inFlight;
    caller.abort(reason);
    await assert.rejects(call, (error: unknown) => error === reason);
    assert.equal(backend.calls.length, 1);
  });

  test('without callTimeoutMs the default (10 minutes) applies, not "no deadline"', async () => {
    const { callTimeoutMs: _unused, ...untimed } = fakeBackend(() => false, 1);
    const seen: AbortSignal[] = [];
    const outcome = await callBackend({
      backend: { ...untimed, generateContent: (request, options) => { seen.push(options.signal); return untimed.generateContent(request, options); } },
      kind: 'generate', model: 'm', request: REQUEST, retry: RETRY, signal: new AbortController().signal, sleep: abortableSleep,
    });
    assert.equal(outcome.ok, true);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.aborted, false);
  });
});

describe('callBackend through the OpenAI-compatible backend, to a server that never answers', () => {
  test('the tries time out, are retried, end as DEADLINE_EXCEEDED, and leave no connection open', async () => {
    const received: IncomingMessage[] = [];
    let closed = 0;
    let open = 0;
    const server = createServer((request) => {
      received.push(request);
      request.resume();
      request.socket.once('close', () => closed++);
    });
    server.on('connection', (socket) => {
      open++;
      socket.once('close', () => open--);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // The transport's own timeout (10 minutes) is not what ends the tries: the call deadline is.
    const backend = withCallTimeout(createOpenAIBackend({ baseUrl: `http://127.0.0.1:${port}/v1` }), 150);
    try {
      const outcome = await callBackend({
        backend, kind: 'generate', model: 'local-model', request: REQUEST, retry: { ...RETRY, maxAttempts: 2 },
        signal: new AbortController().signal, sleep: abortableSleep,
      });
      assert.equal(outcome.ok ? undefined : outcome.error.status, 'DEADLINE_EXCEEDED');
      assert.match(outcome.ok ? '' : outcome.error.message, /openai:http:\/\/127\.0\.0\.1:\d+\/v1\) did not answer within 0.15 s/);
      assert.equal(received.length, 2, 'one request per try');
      assert.ok(received.every((request) => request.url === '/v1/chat/completions'));
      await pollUntil(async () => closed, (count) => count === 2, 5_000, 10);
      // undici may open a fresh idle connection for its pool; closing the backend closes it.
      await backend.close?.();
      await pollUntil(async () => open, (count) => count === 0, 5_000, 10);
    } finally {
      await backend.close?.().catch(() => undefined); // already closed when the test passed
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

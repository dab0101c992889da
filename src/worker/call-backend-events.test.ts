/**
 * callBackend reports each try as a `backendCall` event: `ok`, `retryable` (with the wait
 * before the next try and whether the backend's Retry-After set it) or `failed` (the request's
 * final error), numbered by attempt, with its model and batch; an aborted try reports nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendError, type ModelBackend } from '../backends/backend.js';
import type { BackendCallEvent } from '../core/engine-events.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';
import { abortableSleep } from '../lib/abort.js';
import { callBackend } from './call-backend.js';

const REQUEST: GenerateContentRequest = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] };

/** A backend that throws the scripted errors in turn, then answers. */
function scripted(errors: BackendError[]): ModelBackend {
  let call = 0;
  return {
    id: 'scripted',
    async generateContent() {
      const error = errors[call++];
      if (error) throw error;
      return { candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP' }] };
    },
  };
}

async function run(backend: ModelBackend, signal = new AbortController().signal): Promise<BackendCallEvent[]> {
  const events: BackendCallEvent[] = [];
  await callBackend({
    backend, kind: 'generate', model: 'gemini-2.5-flash', request: REQUEST, signal, sleep: abortableSleep, batchId: 'b1',
    retry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 }, events: { backendCall: (event) => events.push(event) },
  }).catch(() => undefined);
  return events;
}

test('retries report retryable with their wait and its source, then ok', async () => {
  const events = await run(scripted([
    new BackendError('busy', { status: 'RESOURCE_EXHAUSTED', retryable: true, httpStatus: 429, retryAfterMs: 30 }),
    new BackendError('overloaded', { status: 'UNAVAILABLE', retryable: true }),
  ]));
  assert.deepEqual(events.map(({ outcome, attempt, status, retryInMs, retryAfter, model, batchId }) => ({ outcome, attempt, status, retryInMs, retryAfter, model, batchId })), [
    { outcome: 'retryable', attempt: 1, status: 'RESOURCE_EXHAUSTED', retryInMs: 30, retryAfter: true, model: 'gemini-2.5-flash', batchId: 'b1' },
    { outcome: 'retryable', attempt: 2, status: 'UNAVAILABLE', retryInMs: events[1]?.retryInMs, retryAfter: false, model: 'gemini-2.5-flash', batchId: 'b1' },
    { outcome: 'ok', attempt: 3, status: undefined, retryInMs: undefined, retryAfter: undefined, model: 'gemini-2.5-flash', batchId: 'b1' },
  ]);
  assert.ok((events[1]?.retryInMs ?? 0) >= 1, 'a back-off wait');
  for (const event of events) assert.ok(event.latencyMs >= 0 && event.latencyMs < 5_000);
});

test('a final error reports failed: a non-retryable one at once, a retryable one once the attempts are spent', async () => {
  const refused = await run(scripted([new BackendError('bad', { status: 'INVALID_ARGUMENT', retryable: false })]));
  assert.deepEqual(refused.map(({ outcome, attempt, status }) => [outcome, attempt, status]), [['failed', 1, 'INVALID_ARGUMENT']]);
  const overloaded = () => new BackendError('overloaded', { status: 'UNAVAILABLE', retryable: true });
  const spent = await run(scripted([overloaded(), overloaded(), overloaded()]));
  assert.deepEqual(spent.map(({ outcome, attempt }) => [outcome, attempt]), [['retryable', 1], ['retryable', 2], ['failed', 3]]);
  assert.equal(spent[2]?.retryInMs, undefined, 'no wait follows the last try');
});

test('an aborted try reports nothing', async () => {
  const abort = new AbortController();
  const backend: ModelBackend = {
    id: 'aborting',
    async generateContent() {
      abort.abort(new Error('cancelled'));
      throw new BackendError('cancelled', { status: 'CANCELLED', retryable: false });
    },
  };
  assert.deepEqual(await run(backend, abort.signal), []);
});

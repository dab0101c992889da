/**
 * Retries decided by the backend's error: scripted 429 with Retry-After, 503, timeouts and
 * connection resets are retried with backoff and then succeed; permanent failures and
 * exhausted retries end as error lines carrying the backend's status; the batch succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import { instrument, startEngine, type EngineHarness } from '../support/engine-harness.js';

describe('engine: retries', () => {
  const backend = instrument(createSimulatedBackend({
    faults: [
      { match: 'quota', error: 'RESOURCE_EXHAUSTED', httpStatus: 429, retryAfterSeconds: 0.4, attempts: 1 },
      { match: 'overloaded', error: 'UNAVAILABLE', httpStatus: 503, attempts: 2 },
      { match: 'slow', error: 'UNAVAILABLE', kind: 'timeout', attempts: 1 },
      { match: 'dropped', error: 'UNAVAILABLE', kind: 'reset', attempts: 1 },
      { match: 'malformed', error: 'INVALID_ARGUMENT', httpStatus: 400 },
      { match: 'down', error: 'UNAVAILABLE', httpStatus: 503 },
    ],
  }));
  let engine: EngineHarness;
  before(async () => {
    engine = await startEngine({ backend, retry: { maxAttempts: 4, initialBackoffMs: 20, maxBackoffMs: 100 } });
  });
  after(() => engine.close());

  test('transient failures are retried; permanent and exhausted ones become error lines', async () => {
    const prompts = ['fine', 'quota hit', 'overloaded twice', 'slow once', 'dropped once', 'malformed', 'down for good'];
    const batch = await engine.submitPrompts(prompts);
    const view = await engine.waitFor(batch.id);
    assert.equal(view.batch.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual([view.succeededCount, view.failedCount], [5, 2]);

    const lines = await engine.resultLines(batch.id);
    assert.deepEqual(lines.map((line) => (line.response ? 'ok' : line.error?.status)), ['ok', 'ok', 'ok', 'ok', 'ok', 'INVALID_ARGUMENT', 'UNAVAILABLE']);
    assert.equal(lines[5]?.error?.code, 3);
    assert.equal(lines[6]?.error?.code, 14);

    const attempts = (match: string): number[] => backend.log.filter((call) => call.text.includes(match)).map((call) => call.attempt);
    assert.deepEqual(attempts('quota'), [1, 2]);
    assert.deepEqual(attempts('overloaded'), [1, 2, 3]);
    assert.deepEqual(attempts('slow'), [1, 2]);
    assert.deepEqual(attempts('dropped'), [1, 2]);
    assert.deepEqual(attempts('malformed'), [1], 'a permanent failure is not retried');
    assert.deepEqual(attempts('down'), [1, 2, 3, 4], 'attempts are bounded');

    const quota = backend.log.filter((call) => call.text.includes('quota')).map((call) => call.atMs);
    assert.ok(quota[1]! - quota[0]! >= 390, `Retry-After honoured (${quota[1]! - quota[0]!} ms)`);
    const overloaded = backend.log.filter((call) => call.text.includes('overloaded')).map((call) => call.atMs);
    assert.ok(overloaded[2]! - overloaded[1]! >= 10, 'backoff between tries');
  });
});

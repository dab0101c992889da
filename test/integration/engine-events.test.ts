/**
 * The engine reports what happens to batches as EngineEvents (metrics and the operator's log
 * listen): created once (an idempotent replay creates nothing), started once at its first
 * claim, each shard claimed, each backend try with its outcome, finished once with its counts,
 * usage and durations; a cancel is a stop request and the batch finishes CANCELLED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import type { EngineEvents } from '../../src/core/engine-events.js';
import { pollUntil } from '../support/poll.js';
import { startEngine, TENANT, type EngineHarness } from '../support/engine-harness.js';

type Recorded = { [K in keyof EngineEvents]: { name: K; event: Parameters<EngineEvents[K]>[0] } }[keyof EngineEvents];

function recorder(): { events: EngineEvents; seen: Recorded[]; of<K extends keyof EngineEvents>(name: K, batchId?: string): Parameters<EngineEvents[K]>[0][] } {
  const seen: Recorded[] = [];
  const record = <K extends keyof EngineEvents>(name: K) => (event: Parameters<EngineEvents[K]>[0]) => seen.push({ name, event } as Recorded);
  const events: EngineEvents = {
    batchCreated: record('batchCreated'), batchStarted: record('batchStarted'), batchStopRequested: record('batchStopRequested'),
    batchFinished: record('batchFinished'), backendCall: record('backendCall'), shardClaimed: record('shardClaimed'),
    httpRequest: record('httpRequest'), uploadBytes: record('uploadBytes'),
  };
  return {
    events,
    seen,
    of: (name, batchId) => seen
      .filter((entry) => entry.name === name && (batchId === undefined || (entry.event as { batchId?: string }).batchId === batchId))
      .map((entry) => entry.event as never),
  };
}

describe('engine: events', () => {
  const watched = recorder();
  let engine: EngineHarness;
  before(async () => {
    engine = await startEngine({
      backend: createSimulatedBackend({ latencyMs: 5, faults: [{ match: 'busy', error: 'RESOURCE_EXHAUSTED', httpStatus: 429, retryAfterSeconds: 0.05, attempts: 1 }] }),
      shardSize: 2, concurrency: 2, events: watched.events, retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 },
    });
  });
  after(() => engine.close());

  test('a batch runs: created, started, its shards claimed, each try reported, finished with counts', async () => {
    const prompts = ['one', 'busy two', 'three', 'four', 'five'];
    const batch = await engine.submitPrompts(prompts, { idempotencyKey: 'key-1' });
    const replay = await engine.submitPrompts(prompts, { idempotencyKey: 'key-1' });
    assert.equal(replay.id, batch.id);
    const view = await engine.waitFor(batch.id);
    assert.equal(view.batch.state, 'BATCH_STATE_SUCCEEDED');
    const finished = await pollUntil(async () => watched.of('batchFinished', batch.id), (found) => found.length > 0);

    assert.deepEqual(watched.of('batchCreated', batch.id).map(({ tenantId, model, kind, surface, requestCount, state }) => ({ tenantId, model, kind, surface, requestCount, state })), [
      { tenantId: TENANT, model: 'gemini-2.5-flash', kind: 'generate', surface: 'native', requestCount: 5, state: 'BATCH_STATE_PENDING' },
    ], 'the replay created nothing');
    const started = watched.of('batchStarted', batch.id);
    assert.equal(started.length, 1);
    assert.ok(started[0]!.queuedMs >= 0);
    assert.deepEqual(watched.of('shardClaimed', batch.id).map((claim) => [claim.shardIndex, claim.takeover]).sort(), [[0, false], [1, false], [2, false]]);

    const calls = watched.of('backendCall', batch.id);
    assert.deepEqual(calls.filter((call) => call.outcome === 'ok').length, 5);
    assert.deepEqual(calls.filter((call) => call.outcome !== 'ok').map(({ outcome, attempt, status, retryInMs, retryAfter }) => ({ outcome, attempt, status, retryInMs, retryAfter })), [
      { outcome: 'retryable', attempt: 1, status: 'RESOURCE_EXHAUSTED', retryInMs: 50, retryAfter: true },
    ]);

    assert.equal(finished.length, 1);
    const [done] = finished;
    assert.deepEqual([done!.state, done!.requestCount, done!.succeeded, done!.failed], ['BATCH_STATE_SUCCEEDED', 5, 5, 0]);
    assert.ok((done!.usage?.totalTokenCount ?? 0) > 0, 'usage summed');
    assert.ok(done!.durationMs >= 0 && done!.finalizeMs >= 0 && done!.finalizeMs <= done!.durationMs + 1_000);
  });

  test('a cancel is a stop request; the batch finishes CANCELLED with what ran', async () => {
    const batch = await engine.submitPrompts(Array.from({ length: 300 }, (_, i) => `slow ${i}`));
    await pollUntil(async () => watched.of('backendCall', batch.id).length, (calls) => calls > 0);
    await engine.batches.cancel(TENANT, batch.id);
    assert.deepEqual(watched.of('batchStopRequested', batch.id).map(({ stopState, model }) => [stopState, model]), [['BATCH_STATE_CANCELLED', 'gemini-2.5-flash']]);
    const [finished] = await pollUntil(async () => watched.of('batchFinished', batch.id), (found) => found.length > 0);
    assert.equal(finished!.state, 'BATCH_STATE_CANCELLED');
    assert.ok(finished!.succeeded < 300);
  });
});

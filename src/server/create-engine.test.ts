/**
 * createEngine wires what serve, worker and the test harness share, on a real in-memory SQLite
 * store and a local blob store in a temp dir (removed after): the batch service sees worker
 * liveness through the heartbeat rows (NO_WORKERS until a worker beats, and again once its
 * beats are too old on the injected clock) and the registry's pricing (a cost estimate).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pollUntil } from '../../test/support/poll.js';
import { createBackendRegistry } from '../backends/registry.js';
import { createSimulatedBackend } from '../backends/simulated/simulated-backend.js';
import { batchInput, manualClock, prompts, TENANT, type ManualClock } from '../batches/testing/batch-fixture.js';
import type { Clock } from '../lib/clock.js';
import { randomId } from '../lib/ids.js';
import { silentLogger } from '../lib/logger.js';
import { createLocalBlobStore } from '../store/local/local-blob-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { abortableSleep } from '../lib/abort.js';
import { ALIVE_INTERVALS } from '../worker/worker-heartbeat.js';
import { createEngine, heartbeatIntervalMs, type Engine } from './create-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'batchmode-create-engine-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LEASE_MS = 9_000;
const PRICING = { inputPerMillion: 1, outputPerMillion: 2, batchDiscount: 0.5 };

function engineOn(store: Store, clock: Clock, name: string): Engine {
  const registry = createBackendRegistry([{ name: '*', backend: createSimulatedBackend(), limits: { maxConcurrency: 4 }, pricing: PRICING }]);
  return createEngine({
    store, blobs: createLocalBlobStore(join(dir, name)), registry, clock, logger: silentLogger, randomId, sleep: abortableSleep,
    workerId: `test-${name}`, role: 'worker', runsWorkers: true,
    settings: {
      concurrency: 4, maxActiveShards: 2, pollMs: 20, leaseMs: LEASE_MS, progressIntervalMs: 50,
      retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 }, shardSize: 5, completionWindowMs: 3_600_000, fileRetentionMs: 3_600_000,
      webhooks: { pollMs: 50, timeoutMs: 2_000, retryWindowMs: 60_000, destinationPolicy: 'any' },
    },
  });
}

test('worker liveness: NO_WORKERS until the heartbeat row is written, alive while it is fresh, gone after stopWorkers', async () => {
  const clock: ManualClock = manualClock();
  const store = openSqliteStore(':memory:');
  const engine = engineOn(store, clock, 'liveness');
  const { batch } = await engine.batches.create(batchInput({ kind: 'inline', requests: prompts(3) }));
  assert.equal((await engine.batches.progress(TENANT, batch.id)).pendingReason, 'NO_WORKERS');

  await engine.startWorkers();
  try {
    assert.equal(await engine.directory.anyAlive(), true);
    const [listed] = await engine.directory.list(TENANT);
    assert.deepEqual([listed?.worker.id, listed?.worker.role], ['test-liveness', 'worker']);
    clock.advance(ALIVE_INTERVALS * heartbeatIntervalMs(LEASE_MS) + 1);
    assert.equal(await engine.directory.anyAlive(), false, 'a row older than the alive window on the injected clock');
  } finally {
    await engine.stopWorkers();
  }
  assert.deepEqual(await store.workers.listAlive(0), []);
  await store.close();
});

test("pricing: a finished batch's view carries a cost estimate from its route's pricing", async () => {
  const store = openSqliteStore(':memory:');
  const engine = engineOn(store, { now: () => Date.now() }, 'pricing');
  await engine.startWorkers();
  try {
    const { batch } = await engine.batches.create(batchInput({ kind: 'inline', requests: prompts(12) }));
    const done = await pollUntil(() => engine.batches.get(TENANT, batch.id), (view) => view.batch.resultsBlobKey !== undefined, 20_000, 20);
    assert.equal(done.succeededCount, 12);
    assert.ok((done.estimatedCostUsd ?? 0) > 0, `estimated cost ${done.estimatedCostUsd}`);
  } finally {
    await engine.stopWorkers();
    await store.close();
  }
});

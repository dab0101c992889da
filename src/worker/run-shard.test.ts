/**
 * Running one shard on a real in-memory SQLite store and a real local blob store (a temp dir,
 * removed after), with a manual clock and hand-fired lease timers: each way a shard ends
 * (completed, resumed after a torn log line, failed on a result that cannot be stored, lost
 * when its batch is stopped, stopped on abort) and, in every one, no timer left behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { BackendError, type ModelBackend } from '../backends/backend.js';
import { createBackendRegistry } from '../backends/registry.js';
import { createSimulatedBackend } from '../backends/simulated/simulated-backend.js';
import { encodeOutputLine, keptResultLine, readShardOutput } from '../batches/shard-log.js';
import { shardLogKey } from '../core/blob-keys.js';
import { batchInput, manualClock, prompts, testSubmitter } from '../batches/testing/batch-fixture.js';
import { silentLogger } from '../lib/logger.js';
import { Semaphore } from '../lib/semaphore.js';
import type { BlobStore } from '../store/blob-store.js';
import { createLocalBlobStore } from '../store/local/local-blob-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ClaimedShard, Store } from '../store/store.js';
import { abortableSleep } from '../lib/abort.js';
import { createModelLimiter } from './model-limiter.js';
import { runShard, type ShardRunnerDeps } from './run-shard.js';
import type { LeaseTimers } from './shard-lease.js';

const dir = mkdtempSync(join(tmpdir(), 'batchmode-run-shard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const OWNER = 'worker-a';
const LEASE_MS = 30_000;
const REQUESTS = 5;

/** Interval timers that only fire when the test says so; `active` is what is left. */
function manualTimers(): LeaseTimers & { active: Map<number, () => void>; fire(): void } {
  const active = new Map<number, () => void>();
  let next = 1;
  return {
    active,
    setInterval(fn) {
      active.set(next, fn);
      return next++;
    },
    clearInterval: (handle) => active.delete(handle as number),
    fire: () => [...active.values()].forEach((fn) => fn()),
  };
}

/** Wraps a backend to record the prompts it is asked. */
function recording(backend: ModelBackend): ModelBackend & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    id: backend.id,
    prompts,
    generateContent(request, options) {
      prompts.push(String(request.contents.at(-1)?.parts?.[0]?.text));
      return backend.generateContent(request, options);
    },
  };
}

/** A backend that answers nothing until its call is aborted; `called` resolves at the first call. */
function hanging(): ModelBackend & { called: Promise<void> } {
  let markCalled: () => void = () => undefined;
  const called = new Promise<void>((resolve) => (markCalled = resolve));
  return {
    id: 'hanging',
    called,
    generateContent(_request, options) {
      markCalled();
      return new Promise((_resolve, reject) => {
        options.signal.addEventListener('abort', () => reject(new BackendError('cancelled', { status: 'CANCELLED', retryable: false })), { once: true });
      });
    },
  };
}

interface Setup {
  store: Store;
  blobs: BlobStore;
  claimed: ClaimedShard;
  timers: ReturnType<typeof manualTimers>;
  deps: ShardRunnerDeps;
}

/**
 * A store, a blob store and one claimed shard of a batch of REQUESTS prompts served by `backend`;
 * the store is closed when test `t` ends (the blob store's folder goes with `dir`).
 */
async function setUp(t: TestContext, backend: ModelBackend, name: string): Promise<Setup> {
  const clock = manualClock();
  const store = openSqliteStore(':memory:');
  t.after(() => store.close());
  const blobs = createLocalBlobStore(join(dir, name));
  const registry = createBackendRegistry([{ name: '*', backend, limits: { maxConcurrency: 2 } }]);
  await testSubmitter(store, blobs, clock, 10)(batchInput({ kind: 'inline', requests: prompts(REQUESTS) }));
  const claimed = await store.shards.claim(OWNER, clock.now(), clock.now() + LEASE_MS);
  assert.ok(claimed);
  const timers = manualTimers();
  const deps: ShardRunnerDeps = {
    store, blobs, registry, clock, logger: silentLogger, owner: OWNER, leaseMs: LEASE_MS, progressIntervalMs: 500,
    slots: new Semaphore(2), retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 }, sleep: abortableSleep,
    limiterFor: (model) => createModelLimiter({ clock, ...model.limits }), timers,
  };
  return { store, blobs, claimed, timers, deps };
}

/** The shard's state, and whether any lease is still held on it. */
async function shardState({ store, claimed }: Setup): Promise<{ state: string; leased: boolean }> {
  const [shard] = await store.shards.listForBatch(claimed.batch.id);
  const leases = await store.workers.listLeases(0);
  return { state: shard!.state, leased: leases.some((lease) => lease.batchId === claimed.batch.id) };
}

/** The shard was given back: pending again, no lease held on it, and no timer left. */
async function assertGivenBack(setup: Setup): Promise<void> {
  assert.deepEqual(await shardState(setup), { state: 'pending', leased: false });
  assert.equal(setup.timers.active.size, 0);
}

/** Starts running the shard on a backend that never answers; resolves once its first call is in flight. */
async function runHanging(t: TestContext, name: string, abort: AbortSignal): Promise<{ setup: Setup; running: ReturnType<typeof runShard> }> {
  const backend = hanging();
  const setup = await setUp(t, backend, name);
  const running = runShard(setup.claimed, setup.deps, { abort });
  await backend.called;
  return { setup, running };
}

test('a shard runs to completion: every result logged, the shard done, no timer left', async (t) => {
  const setup = await setUp(t, createSimulatedBackend(), 'complete');
  const ended = await runShard(setup.claimed, setup.deps, { abort: new AbortController().signal });
  assert.deepEqual(ended, { end: 'completed', allDone: true });
  const output = await readShardOutput(setup.blobs, setup.claimed.shard, { keepBytesUpTo: Number.POSITIVE_INFINITY });
  assert.equal(Array.from({ length: REQUESTS }, (_, position) => keptResultLine(output, position)).filter((line) => line !== undefined).length, REQUESTS);
  assert.equal(output.succeeded, REQUESTS);
  const [shard] = await setup.store.shards.listForBatch(setup.claimed.batch.id);
  assert.deepEqual([shard!.state, shard!.succeededCount, shard!.failedCount], ['done', 5, 0]);
  assert.equal(setup.timers.active.size, 0);
});

test('resume: stored results are skipped, a half-written last line is cut off and its request run again', async (t) => {
  const backend = recording(createSimulatedBackend());
  const setup = await setUp(t, backend, 'resume');
  const key = shardLogKey(setup.claimed.shard.batchId, setup.claimed.shard.index);
  const log = await setup.blobs.openAppender(key);
  await log.append(encodeOutputLine(0, true, '{"response":"earlier 0"}') + encodeOutputLine(1, false, '{"error":"earlier 1"}'));
  await log.append(encodeOutputLine(2, true, '{"response":"torn').slice(0, 12));
  await log.close();

  const ended = await runShard(setup.claimed, setup.deps, { abort: new AbortController().signal });
  assert.deepEqual(ended, { end: 'completed', allDone: true });
  assert.deepEqual(backend.prompts.sort(), ['prompt 2', 'prompt 3', 'prompt 4']);
  const output = await readShardOutput(setup.blobs, setup.claimed.shard, { keepBytesUpTo: Number.POSITIVE_INFINITY });
  assert.equal(output.storedBytes, output.validBytes, 'no torn bytes left in the log');
  for (const line of Array.from({ length: setup.claimed.shard.requestCount }, (_, position) => keptResultLine(output, position))) assert.doesNotThrow(() => JSON.parse(String(line)), `a whole result line: ${String(line)}`);
  assert.equal(keptResultLine(output, 0)?.toString(), '{"response":"earlier 0"}');
  assert.deepEqual([output.succeeded, output.failed], [4, 1]);
  const [shard] = await setup.store.shards.listForBatch(setup.claimed.batch.id);
  assert.deepEqual([shard!.succeededCount, shard!.failedCount], [4, 1]);
  assert.equal(setup.timers.active.size, 0);
});

test('a result that cannot be stored ends the shard failed and gives it back; the log is still closed', async (t) => {
  const setup = await setUp(t, createSimulatedBackend(), 'append-fails');
  const diskFull = new Error('ENOSPC: no space left on device');
  let closed = false;
  const blobs: BlobStore = {
    ...setup.blobs,
    async openAppender(key) {
      const real = await setup.blobs.openAppender(key);
      return {
        append: () => Promise.reject(diskFull),
        close: async () => {
          closed = true;
          await real.close();
        },
      };
    },
  };
  const ended = await runShard(setup.claimed, { ...setup.deps, blobs }, { abort: new AbortController().signal });
  assert.deepEqual(ended, { end: 'failed', allDone: false, error: diskFull });
  assert.ok(closed);
  await assertGivenBack(setup);
});

test('a stop request on the batch: the lease reports lost at the next tick, in-flight calls end, the shard is given back', { timeout: 10_000 }, async (t) => {
  const { setup, running } = await runHanging(t, 'stop-request', new AbortController().signal);
  assert.equal(setup.timers.active.size, 2, 'renewal and progress timers while it runs');
  assert.ok(await setup.store.batches.requestStop(setup.claimed.batch.id, 'BATCH_STATE_CANCELLED', setup.deps.clock.now()));
  setup.timers.fire();
  assert.deepEqual(await running, { end: 'lost', allDone: false });
  await assertGivenBack(setup);
});

test('abort: in-flight calls are dropped, progress saved, the shard released as stopped', { timeout: 10_000 }, async (t) => {
  const abort = new AbortController();
  const { setup, running } = await runHanging(t, 'abort', abort.signal);
  abort.abort(new Error('worker stopping'));
  assert.deepEqual(await running, { end: 'stopped', allDone: false });
  await assertGivenBack(setup);
  assert.equal((await readShardOutput(setup.blobs, setup.claimed.shard, { keepBytesUpTo: Number.POSITIVE_INFINITY })).storedBytes ?? 0, 0, 'nothing logged for dropped calls');
});

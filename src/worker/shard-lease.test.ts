/**
 * Holding a shard's lease, on a real in-memory SQLite store with a manual clock and timers the
 * test fires: renewal extends the lease from the clock, progress saves the tally, a stop request
 * or a takeover by another worker aborts `lost`, a store failure is only logged, and `stop()`
 * clears both timers and waits for the calls in flight.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { batchInput, manualClock, prompts, testSubmitter, type ManualClock } from '../batches/testing/batch-fixture.js';
import { emptyUsage } from '../core/usage.js';
import { createLocalBlobStore } from '../store/local/local-blob-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ClaimedShard, Store } from '../store/store.js';
import { createShardLease, type LeaseTimers, type ShardLease, type ShardTally } from './shard-lease.js';

const dir = mkdtempSync(join(tmpdir(), 'batchmode-shard-lease-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LEASE_MS = 9_000;
const PROGRESS_MS = 500;

interface Fixture {
  store: Store;
  claimed: ClaimedShard;
  clock: ManualClock;
  /** Timer periods by handle; `fire` runs every live one. */
  timers: LeaseTimers & { periods: Map<number, number>; fire(): void };
  tally: ShardTally;
  warnings: string[];
  lease: ShardLease;
}

async function fixture(name: string): Promise<Fixture> {
  const clock = manualClock();
  const store = openSqliteStore(':memory:');
  await testSubmitter(store, createLocalBlobStore(join(dir, name)), clock, 10)(batchInput({ kind: 'inline', requests: prompts(2) }));
  const claimed = await store.shards.claim('worker-a', clock.now(), clock.now() + LEASE_MS);
  assert.ok(claimed);
  const callbacks = new Map<number, () => void>();
  const periods = new Map<number, number>();
  let next = 1;
  const timers = {
    periods,
    setInterval(fn: () => void, ms: number) {
      callbacks.set(next, fn);
      periods.set(next, ms);
      return next++;
    },
    clearInterval(handle: unknown) {
      callbacks.delete(handle as number);
      periods.delete(handle as number);
    },
    fire: () => [...callbacks.values()].forEach((fn) => fn()),
  };
  const tally: ShardTally = { succeeded: 0, failed: 0, usage: emptyUsage() };
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };
  const lease = createShardLease(claimed.shard, () => tally, {
    store, clock, logger, owner: 'worker-a', leaseMs: LEASE_MS, progressIntervalMs: PROGRESS_MS, timers,
  });
  return { store, claimed, clock, timers, tally, warnings, lease };
}

test('start sets a renewal timer (a third of the lease) and a progress timer; stop clears both, idempotently', async () => {
  const { lease, timers, store } = await fixture('timers');
  lease.start();
  lease.start();
  assert.deepEqual([...timers.periods.values()].sort((a, b) => a - b), [PROGRESS_MS, LEASE_MS / 3]);
  await lease.stop();
  await lease.stop();
  assert.equal(timers.periods.size, 0);
  assert.equal(lease.lost.aborted, false);
  await store.close();
});

test('a tick renews the lease from the clock and saves the tally; stop waits for those calls', async () => {
  const { lease, timers, store, clock, tally, claimed } = await fixture('renew');
  lease.start();
  clock.advance(4_000);
  tally.succeeded = 1;
  tally.failed = 1;
  timers.fire();
  await lease.stop();
  const [held] = await store.workers.listLeases(clock.now());
  assert.deepEqual([held?.owner, held?.leaseExpiresMs, held?.succeededCount, held?.failedCount], ['worker-a', clock.now() + LEASE_MS, 1, 1]);
  const [shard] = await store.shards.listForBatch(claimed.batch.id);
  assert.equal(shard!.state, 'running');
  assert.equal(lease.lost.aborted, false);
  await store.close();
});

test('a stop request on the batch (cancel or expiry, by any process) makes the next tick report lost', { timeout: 10_000 }, async () => {
  const { lease, timers, store, clock, claimed } = await fixture('stop-request');
  lease.start();
  assert.ok(await store.batches.requestStop(claimed.batch.id, 'BATCH_STATE_EXPIRED', clock.now()));
  const lost = once(lease.lost, 'abort');
  timers.fire();
  await lost;
  assert.match(String(lease.lost.reason), /lease lost or batch stopped/);
  await lease.stop();
  assert.equal(timers.periods.size, 0);
  await store.close();
});

test('a lease taken over by another worker after it lapsed is reported lost', async () => {
  const { lease, timers, store, clock } = await fixture('takeover');
  lease.start();
  clock.advance(LEASE_MS + 1);
  assert.ok(await store.shards.claim('worker-b', clock.now(), clock.now() + LEASE_MS));
  timers.fire();
  await lease.stop();
  assert.equal(lease.lost.aborted, true);
  await store.close();
});

test('a store that fails is logged, not taken for a lost lease', async () => {
  const { lease, timers, store, warnings } = await fixture('store-away');
  lease.start();
  await store.close();
  timers.fire();
  await lease.stop();
  assert.equal(lease.lost.aborted, false);
  assert.deepEqual(warnings.sort(), ['lease renewal failed', 'progress update failed']);
});

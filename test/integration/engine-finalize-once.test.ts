/**
 * Which worker writes a batch's results when several share a store (worker processes, or the
 * worker threads of one server): the one that completes the batch's last shard, once. Another
 * worker's sweep takes over only when that has not happened within a lease's length (its holder
 * died or hangs), and a worker that starts finds a batch left due by a previous run and finalizes
 * it at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Readable } from 'node:stream';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { startEngine } from '../support/engine-harness.js';
import { pollUntil } from '../support/poll.js';

const prompts = (count: number): string[] => Array.from({ length: count }, (_, i) => `p${i}`);
const isResultsKey = (key: string): boolean => /\/results-[^/]+\.jsonl$/.test(key);

/** Wraps a blob store so that each results-file write first waits for `before(key)`; counts those writes in `writes`. */
function gateResults(writes: string[], before: (key: string) => Promise<void>): (blobs: BlobStore) => BlobStore {
  return (blobs) => ({
    ...blobs,
    openAppender: (key) => blobs.openAppender(key),
    read: (key, range) => blobs.read(key, range),
    size: (key) => blobs.size(key),
    truncate: (key, size) => blobs.truncate(key, size),
    copy: (from, to) => blobs.copy(from, to),
    move: (from, to) => blobs.move(from, to),
    delete: (key) => blobs.delete(key),
    deletePrefix: (prefix) => blobs.deletePrefix(prefix),
    async append(key: string, source: Readable) {
      if (isResultsKey(key)) {
        writes.push(key);
        await before(key);
      }
      return blobs.append(key, source);
    },
  });
}

test('two live workers on one store: the batch is finalized once, by the worker that completed its last shard', async (t) => {
  const writes: string[] = [];
  // A slow finalize: the other worker's sweep (every 50 ms) sees the batch due all along.
  const slow = gateResults(writes, () => new Promise((resolve) => setTimeout(resolve, 400)));
  const harness = await startEngine({ backend: createSimulatedBackend({}), shardSize: 5, wrapBlobs: slow });
  t.after(() => harness.close());
  await harness.addWorker(slow);

  const batch = await harness.submitPrompts(prompts(40));
  const view = await harness.waitFor(batch.id);
  assert.equal(view.batch.state, 'BATCH_STATE_SUCCEEDED');
  await new Promise((resolve) => setTimeout(resolve, 600)); // time for a second finalization to show
  assert.equal(writes.length, 1, `one results file written, got ${writes.length}`);
  const lines = await harness.resultLines(batch.id);
  assert.deepEqual(lines.map((line) => line.metadata?.i), prompts(40).map((_, i) => i));
});

test("a finalization that hangs is taken over by another worker after a lease's length", async (t) => {
  const writes: string[] = [];
  let release: () => void = () => undefined;
  const hung = new Promise<void>((resolve) => (release = resolve));
  // The first results write anywhere hangs (its worker is stuck); later ones go through.
  const firstHangs = gateResults(writes, () => (writes.length === 1 ? hung : Promise.resolve()));
  const leaseMs = 800;
  const harness = await startEngine({ backend: createSimulatedBackend({}), shardSize: 5, leaseMs, wrapBlobs: firstHangs });
  t.after(async () => {
    release();
    await harness.close();
  });
  await harness.addWorker(firstHangs);

  const batch = await harness.submitPrompts(prompts(20));
  await pollUntil(async () => writes.length, (count) => count >= 1, 10_000, 10);
  const stuckAt = Date.now();
  const view = await harness.waitFor(batch.id, undefined, 10_000);
  const tookMs = Date.now() - stuckAt;
  assert.equal(view.batch.state, 'BATCH_STATE_SUCCEEDED');
  assert.equal(writes.length, 2, 'the stuck finalization and the one that took over');
  assert.ok(tookMs >= leaseMs - 100, `taken over after about a lease (${tookMs} ms, lease ${leaseMs} ms)`);
  assert.deepEqual((await harness.resultLines(batch.id)).map((line) => line.metadata?.i), prompts(20).map((_, i) => i));

  // The stuck worker finishes late: its copy loses, and the stored results stay the same.
  release();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await harness.batches.get('tenant-1', batch.id);
  assert.equal(after.batch.resultsBlobKey, view.batch.resultsBlobKey);
  assert.equal((await harness.resultLines(batch.id)).length, 20);
});

test('a worker that starts finalizes at once a batch a previous run left with every shard done', async (t) => {
  const harness = await startEngine({ backend: createSimulatedBackend({}), shardSize: 5, startWorkers: false });
  t.after(() => harness.close());
  const batch = await harness.submitPrompts(prompts(10));
  // A previous run's worker ran both shards and died before writing the results.
  const now = Date.now();
  for (let shard = 0; shard < 2; shard++) {
    const claimed = await harness.store.shards.claim('dead-worker', now, now + 60_000);
    assert.ok(claimed);
    await harness.store.shards.complete(batch.id, claimed.shard.index, 'dead-worker', 0, 0, undefined);
  }
  const started = Date.now();
  await harness.engine.startWorkers();
  const view = await harness.waitFor(batch.id, undefined, 5_000);
  assert.ok(Date.now() - started < 2_000, 'not after a lease (10 s)');
  // Nothing was logged for the requests, so each has an error line: every key still appears once.
  assert.equal(view.batch.state, 'BATCH_STATE_SUCCEEDED');
  assert.equal((await harness.resultLines(batch.id)).length, 10);
});

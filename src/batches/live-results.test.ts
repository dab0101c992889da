// Live results: every request exactly once, whether read while the batch runs (from the shard
// logs, skipping lines still being written and requests logged twice), followed until it
// finishes (the rest taken from the results file), or after it finished.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchRecord } from '../core/batch.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { finalizeBatch } from './finalize-batch.js';
import { streamResults, type LiveResultsDeps } from './live-results.js';
import { appendToLog, batchInput, identities, logLine, manualClock, prompts, testSubmitter } from './testing/batch-fixture.js';

const clock = manualClock();
const storage = useTempStorage('batchmode-live-');

const submit = (count: number): Promise<BatchRecord> => testSubmitter(storage.store, storage.blobs, clock, 2)(batchInput({ kind: 'inline', requests: prompts(count) }));
const finalize = (batchId: string): Promise<unknown> => finalizeBatch(batchId, { store: storage.store, blobs: storage.blobs, clock, fileRetentionMs: 60_000 });

/** Streams a batch's results; `onPoll` is what happens in the world while the follower waits. */
async function collect(batch: BatchRecord, follow: boolean, onPoll: (poll: number) => Promise<void> = async () => undefined): Promise<string[]> {
  let polls = 0;
  const deps: LiveResultsDeps = { store: storage.store, blobs: storage.blobs, pollMs: 250, sleep: () => onPoll(++polls) };
  const lines: string[] = [];
  for await (const line of streamResults(deps, batch, { follow, signal: new AbortController().signal })) {
    assert.ok(line.toString().endsWith('\n'), 'each result is one whole line');
    lines.push(line.toString().trimEnd());
  }
  return lines;
}

test('while running: the results logged so far, once each, without a line still being written', async () => {
  const batch = await submit(5);
  await appendToLog(storage.blobs, batch.id, 0, logLine(1));
  // Shard 1's request 2 ran twice (a takeover), and request 3 is half-written.
  await appendToLog(storage.blobs, batch.id, 1, logLine(2) + logLine(2) + logLine(3).slice(0, 12));
  assert.deepEqual(identities(await collect(batch, false)), [1, 2]);
});

test('following a batch to its end yields every request exactly once', async () => {
  const batch = await submit(5);
  await appendToLog(storage.blobs, batch.id, 1, logLine(3) + logLine(2).slice(0, 5));
  const seen = await collect(batch, true, async (poll) => {
    if (poll === 1) {
      // The half-written line is completed, more results land, one request runs twice.
      await appendToLog(storage.blobs, batch.id, 1, logLine(2).slice(5) + logLine(3));
      await appendToLog(storage.blobs, batch.id, 0, logLine(0));
    } else if (poll === 2) {
      // Cancelled: request 1 and 4 never run; finalize writes their error lines.
      await storage.store.batches.requestStop(batch.id, 'BATCH_STATE_CANCELLED', clock.now());
      await finalize(batch.id);
    } else {
      assert.fail('the follower stops once the results file exists');
    }
  });
  // Each poll reads shard by shard: shard 0 (request 0) before shard 1 (the completed request 2).
  assert.deepEqual(identities(seen), [3, 0, 2, 1, 4]);
  assert.match(seen[3] ?? '', /"CANCELLED"/);
});

test('a follower that starts after the batch finished reads the results file in input order', async () => {
  const batch = await submit(3);
  await appendToLog(storage.blobs, batch.id, 0, logLine(1) + logLine(0));
  await appendToLog(storage.blobs, batch.id, 1, logLine(2));
  await finalize(batch.id);
  const finished = (await storage.store.batches.getById(batch.id))!;
  assert.deepEqual(identities(await collect(finished, true)), [0, 1, 2]);
  assert.deepEqual(identities(await collect(finished, false)), [0, 1, 2]);
});

test('a follower whose wait is aborted ends quietly with what it has', async () => {
  const batch = await submit(2);
  await appendToLog(storage.blobs, batch.id, 0, logLine(0));
  const controller = new AbortController();
  const deps: LiveResultsDeps = { store: storage.store, blobs: storage.blobs, pollMs: 250, sleep: async () => { controller.abort(); throw new Error('aborted'); } };
  const lines: Buffer[] = [];
  for await (const line of streamResults(deps, batch, { follow: true, signal: controller.signal })) lines.push(line);
  assert.deepEqual(identities(lines.map(String)), [0]);
});

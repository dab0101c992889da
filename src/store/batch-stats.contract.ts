/**
 * The contract of the BatchRepository's counting queries (metrics): batches per state across
 * tenants, and unfinished requests per model split by whether a live lease holds their shard.
 * Run by each adapter's test file next to describeStoreContract.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeBatch, makeShards, type OpenStore } from './store.contract.js';

export function describeBatchStatsContract(name: string, open: OpenStore): void {
  describe(`Store batch counts: ${name}`, () => {
    test('countByState counts every tenant, terminal batches included; openRequestsByModel splits running from pending', async () => {
      const store = await open();
      try {
        assert.deepEqual(await store.batches.countByState(), new Map(), 'an empty store');
        assert.deepEqual(await store.batches.openRequestsByModel(1_000), []);
        // a: 3 shards of 2 requests (flash); b: another tenant, 1 shard (pro); c: stopped; d: finished.
        await store.batches.create(makeBatch({ id: 'a' }), makeShards('a', 3));
        await store.batches.create(makeBatch({ id: 'b', tenantId: 't2', model: 'gemini-2.5-pro', createTimeMs: 2_000 }), makeShards('b', 1));
        await store.batches.create(makeBatch({ id: 'c', createTimeMs: 3_000 }), makeShards('c', 1));
        await store.batches.create(makeBatch({ id: 'd', createTimeMs: 4_000 }), makeShards('d', 1));
        await store.batches.requestStop('c', 'BATCH_STATE_CANCELLED', 5_000);
        assert.equal((await store.shards.claim('w1', 5_000, 60_000))?.batch.id, 'a');
        assert.equal((await store.shards.claim('w1', 5_000, 60_000))?.batch.id, 'b');
        assert.equal((await store.shards.claim('w1', 5_000, 60_000))?.batch.id, 'd');
        await store.shards.complete('d', 0, 'w1', 2, 0);
        await store.batches.recordResults('d', 6_000, { resultsBlobKey: 'r', succeededCount: 2, failedCount: 0 }, []);
        await store.shards.recordProgress('a', 0, 'w1', 1, 0);

        assert.deepEqual(await store.batches.countByState(), new Map([
          ['BATCH_STATE_RUNNING', 2],
          ['BATCH_STATE_PENDING', 1],
          ['BATCH_STATE_SUCCEEDED', 1],
        ]), 'c keeps PENDING until its results are written');
        assert.deepEqual(await store.batches.openRequestsByModel(10_000), [
          { model: 'gemini-2.5-flash', pending: 4, running: 1 },
          { model: 'gemini-2.5-pro', pending: 0, running: 2 },
        ], 'a: shard 0 held with one result, two pending shards; b held; c stopped and d done count nothing');
        assert.deepEqual(await store.batches.openRequestsByModel(70_000), [
          { model: 'gemini-2.5-flash', pending: 5, running: 0 },
          { model: 'gemini-2.5-pro', pending: 2, running: 0 },
        ], 'a lapsed lease counts as pending');
      } finally {
        await store.close();
      }
    });
  });
}

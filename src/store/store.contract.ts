/**
 * The behavioural contract every Store implementation must meet. Each implementation's test
 * file calls `describeStoreContract` with a factory that opens a fresh, empty store on a real
 * database (never a mock).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BatchRecord, ShardRecord } from '../core/batch.js';
import { emptyUsage } from '../core/usage.js';
import type { UploadSession } from '../core/upload-session.js';
import { makeBatch as makeBaseBatch, makeFile, makeShards as makeBaseShards } from './testing/records.js';
import { withStore, type OpenStore } from './testing/with-store.js';

export type { OpenStore };

export { makeFile };

function makeSession(overrides: Partial<UploadSession> = {}): UploadSession {
  return {
    uploadId: 'u1', tenantId: 't1', fileId: 'f9', displayName: 'big', mimeType: 'text/plain',
    declaredSizeBytes: 100, receivedBytes: 0, stagingKey: 'uploads/u1', createTimeMs: 1_000,
    updateTimeMs: 1_000, ...overrides,
  };
}

/** The suite's batch: four requests and a webhook URI. */
export function makeBatch(overrides: Partial<BatchRecord> = {}): BatchRecord {
  return makeBaseBatch({ displayName: 'batch', requestCount: 4, webhookConfig: { uris: ['https://x'] }, ...overrides });
}

/** The suite's shards: two requests each. */
export function makeShards(batchId: string, count: number): ShardRecord[] {
  return makeBaseShards(batchId, count, 2);
}


export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    test('files: insert, get, duplicate id, tenant isolation, delete', () =>
      withStore(open, async (store) => {
        assert.equal(await store.files.insert(makeFile()), true);
        assert.equal(await store.files.insert(makeFile()), false, 'the same id twice is refused');
        assert.equal(await store.files.insert(makeFile({ tenantId: 't2' })), true, 'ids are per tenant');
        assert.deepEqual(await store.files.get('t1', 'f1'), makeFile());
        assert.equal(await store.files.get('t3', 'f1'), undefined);
        assert.deepEqual(await store.files.delete('t1', 'f1'), makeFile());
        assert.equal(await store.files.delete('t1', 'f1'), undefined);
        assert.equal(await store.files.get('t1', 'f1'), undefined);
        assert.ok(await store.files.get('t2', 'f1'), "another tenant's file is untouched");
      }));

    test('files: keyset paging is newest first, stable on equal times, and complete', () =>
      withStore(open, async (store) => {
        const ids: string[] = [];
        for (let index = 0; index < 25; index++) {
          const id = `f${String(index).padStart(2, '0')}`;
          ids.push(id);
          await store.files.insert(makeFile({ id, createTimeMs: 1_000 + Math.floor(index / 3) }));
        }
        await store.files.insert(makeFile({ id: 'other', tenantId: 't2' }));
        const seen: string[] = [];
        let page = await store.files.list('t1', { limit: 7 });
        while (page.length > 0) {
          seen.push(...page.map((file) => file.id));
          const last = page[page.length - 1]!;
          page = await store.files.list('t1', { limit: 7, after: { createTimeMs: last.createTimeMs, id: last.id } });
        }
        assert.deepEqual(seen, [...ids].reverse());
      }));

    test('files: expired files are listed oldest first', () =>
      withStore(open, async (store) => {
        await store.files.insert(makeFile({ id: 'late', expirationTimeMs: 3_000 }));
        await store.files.insert(makeFile({ id: 'early', expirationTimeMs: 2_000 }));
        await store.files.insert(makeFile({ id: 'alive', expirationTimeMs: 9_000 }));
        const expired = await store.files.listExpired(5_000, 10);
        assert.deepEqual(expired.map((file) => file.id), ['early', 'late']);
      }));

    test('uploads: insert, advance is compare-and-set, complete turns a session into a file', () =>
      withStore(open, async (store) => {
        assert.equal(await store.uploads.insert(makeSession()), true);
        assert.equal(await store.uploads.insert(makeSession({ uploadId: 'u2' })), false, 'file id already reserved');
        assert.equal(await store.uploads.advance('u1', 0, 40, 2_000), true);
        assert.equal(await store.uploads.advance('u1', 0, 80, 2_000), false, 'a stale offset loses');
        const session = await store.uploads.get('u1');
        assert.equal(session?.receivedBytes, 40);
        assert.equal(session?.updateTimeMs, 2_000);
        assert.equal(await store.files.insert(makeFile({ id: 'f9' })), false, 'a reserved id cannot be taken by a file');
        const file = makeFile({ id: 'f9', sizeBytes: 40 });
        assert.equal(await store.uploads.complete('u1', file), true);
        assert.equal(await store.uploads.get('u1'), undefined);
        assert.deepEqual(await store.files.get('t1', 'f9'), file);
        assert.equal(await store.uploads.complete('u1', file), false, 'completing twice does nothing');
      }));

    test('uploads: a session cannot take an existing file id; stale sessions are listed', () =>
      withStore(open, async (store) => {
        await store.files.insert(makeFile({ id: 'f9' }));
        assert.equal(await store.uploads.insert(makeSession()), false);
        await store.uploads.insert(makeSession({ uploadId: 'old', fileId: 'a', updateTimeMs: 100 }));
        await store.uploads.insert(makeSession({ uploadId: 'new', fileId: 'b', updateTimeMs: 9_000 }));
        assert.deepEqual((await store.uploads.listStale(1_000, 10)).map((s) => s.uploadId), ['old']);
        assert.equal((await store.uploads.delete('old'))?.uploadId, 'old');
        assert.equal(await store.uploads.get('old'), undefined);
      }));

    test('batches: create, get, tenant isolation, list newest first, delete with shards', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch(), makeShards('b1', 2));
        await store.batches.create(makeBatch({ id: 'b2', createTimeMs: 2_000 }), makeShards('b2', 1));
        await store.batches.create(makeBatch({ id: 'b3', tenantId: 't2' }), makeShards('b3', 1));
        assert.deepEqual(await store.batches.get('t1', 'b1'), makeBatch());
        assert.equal(await store.batches.get('t2', 'b1'), undefined);
        assert.deepEqual((await store.batches.list('t1', { limit: 10 })).map((b) => b.id), ['b2', 'b1']);
        assert.deepEqual((await store.batches.list('t1', { limit: 10, after: { createTimeMs: 2_000, id: 'b2' } })).map((b) => b.id), ['b1']);
        assert.equal((await store.batches.delete('t2', 'b1')), undefined, "another tenant's delete does nothing");
        assert.equal((await store.batches.delete('t1', 'b1'))?.id, 'b1');
        assert.equal(await store.batches.getById('b1'), undefined);
        assert.deepEqual(await store.shards.listForBatch('b1'), []);
      }));

    test('batches: an idempotency key is unique per tenant; a second create returns the first batch', () =>
      withStore(open, async (store) => {
        const first = makeBatch({ idempotencyKey: 'key-1', requestHash: 'h' });
        assert.deepEqual(await store.batches.create(first, makeShards('b1', 1)), { created: true, batch: first });
        const retried = await store.batches.create(makeBatch({ id: 'b2', idempotencyKey: 'key-1', requestHash: 'h' }), makeShards('b2', 1));
        assert.equal(retried.created, false);
        assert.equal(retried.batch.id, 'b1');
        assert.equal(await store.batches.getById('b2'), undefined, 'nothing of the second was stored');
        assert.deepEqual(await store.shards.listForBatch('b2'), []);
        assert.equal((await store.batches.findByIdempotencyKey('t1', 'key-1'))?.id, 'b1');
        assert.equal((await store.batches.create(makeBatch({ id: 'b3', tenantId: 't2', idempotencyKey: 'key-1' }), [])).created, true, 'keys are per tenant');
      }));

    test('batches: a stop request is compare-and-set; the terminal state lands only with the results', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch(), makeShards('b1', 1));
        assert.equal(await store.batches.requestStop('b1', 'BATCH_STATE_CANCELLED', 5_000), true);
        assert.equal(await store.batches.requestStop('b1', 'BATCH_STATE_EXPIRED', 5_000), false, 'one stop request wins');
        const batch = await store.batches.getById('b1');
        assert.deepEqual([batch?.state, batch?.stopState, batch?.endTimeMs], ['BATCH_STATE_PENDING', 'BATCH_STATE_CANCELLED', undefined], 'still reported in its previous state');
        assert.equal(await store.shards.claim('w1', 5_000, 9_000), undefined, 'a stopped batch is not claimed');
        assert.deepEqual((await store.batches.listUnfinalized(10)).map((b) => b.id), ['b1']);
        const resultsFile = makeFile({ id: 'batch-b1', source: 'GENERATED', blobKey: 'r' });
        assert.equal(await store.batches.recordResults('b1', 6_000, { resultsBlobKey: 'r', succeededCount: 1, failedCount: 3, endTimeMs: 6_000, error: { code: 1, message: 'x' } }, [resultsFile]), true);
        assert.equal(await store.batches.recordResults('b1', 7_000, { resultsBlobKey: 'other' }, [makeFile({ id: 'batch-b1', blobKey: 'other' })]), false, 'only one finalizer wins');
        assert.equal((await store.files.get('t1', 'batch-b1'))?.blobKey, 'r');
        assert.deepEqual(await store.batches.listUnfinalized(10), []);
        const finished = await store.batches.getById('b1');
        assert.deepEqual([finished?.state, finished?.resultsBlobKey, finished?.succeededCount, finished?.failedCount, finished?.endTimeMs, finished?.error], ['BATCH_STATE_CANCELLED', 'r', 1, 3, 6_000, { code: 1, message: 'x' }]);
        assert.equal(await store.batches.requestStop('b1', 'BATCH_STATE_EXPIRED', 7_000), false, 'a finished batch takes no stop request');
        await store.batches.create(makeBatch({ id: 'b2', state: 'BATCH_STATE_RUNNING' }), makeShards('b2', 1));
        assert.equal(await store.batches.recordResults('b2', 8_000, { resultsBlobKey: 'r2' }, []), true);
        assert.equal((await store.batches.getById('b2'))?.state, 'BATCH_STATE_SUCCEEDED', 'a running batch succeeds');
      }));

    test('shards: claim by priority, lease, progress, complete, takeover of a lapsed lease', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'low', priority: 0 }), makeShards('low', 1));
        await store.batches.create(makeBatch({ id: 'high', priority: 5, createTimeMs: 9_000 }), makeShards('high', 2));
        const first = await store.shards.claim('w1', 10_000, 20_000);
        assert.deepEqual([first?.batch.id, first?.shard.index], ['high', 0]);
        assert.equal(first?.batch.state, 'BATCH_STATE_RUNNING');
        assert.equal(first?.batch.startTimeMs, 10_000);
        assert.deepEqual([first?.startedBatch, first?.takeover], [true, false], 'the first claim starts the batch');
        const second = await store.shards.claim('w2', 10_000, 20_000);
        assert.deepEqual([second?.batch.id, second?.shard.index, second?.startedBatch], ['high', 1, false]);
        const third = await store.shards.claim('w2', 10_000, 20_000);
        assert.equal(third?.batch.id, 'low');
        assert.equal(await store.shards.claim('w3', 10_000, 20_000), undefined, 'nothing left');
        assert.equal(await store.shards.recordProgress('high', 0, 'w1', 1, 0, { ...emptyUsage(), promptTokenCount: 5, totalTokenCount: 9 }), true);
        assert.equal(await store.shards.recordProgress('high', 0, 'w2', 1, 0), false, 'only the owner records');
        assert.deepEqual((await store.batches.progress(['high'])).get('high'), { succeededCount: 1, failedCount: 0, doneShards: 0, totalShards: 2, usage: { ...emptyUsage(), promptTokenCount: 5, totalTokenCount: 9 } });
        // w2's lease on high/1 lapses; w3 takes it over and w2 can no longer finish it.
        const takeover = await store.shards.claim('w3', 30_000, 40_000);
        assert.deepEqual([takeover?.batch.id, takeover?.shard.index, takeover?.takeover, takeover?.startedBatch], ['high', 0, true, false], 'both high shards lapsed; the first comes back first');
        assert.equal(await store.shards.renew('high', 0, 'w1', 50_000), false, 'the old owner lost it');
        assert.deepEqual(await store.shards.complete('high', 0, 'w1', 2, 0), { completed: false, allDone: false });
        assert.deepEqual(await store.shards.complete('high', 0, 'w3', 2, 0, { ...emptyUsage(), promptTokenCount: 10, totalTokenCount: 20 }), { completed: true, allDone: false });
        const last = await store.shards.claim('w3', 30_000, 40_000);
        assert.deepEqual([last?.batch.id, last?.shard.index], ['high', 1]);
        assert.equal(await store.shards.hasLiveLease('high', 30_000), true);
        assert.deepEqual(await store.shards.complete('high', 1, 'w3', 1, 1), { completed: true, allDone: true });
        assert.deepEqual((await store.batches.progress(['high'])).get('high'), { succeededCount: 3, failedCount: 1, doneShards: 2, totalShards: 2, usage: { ...emptyUsage(), promptTokenCount: 10, totalTokenCount: 20 } });
      }));

    test('shards: releaseAll gives unfinished shards back; terminal batches are not claimed; overdue listing', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'a', deadlineMs: 5_000 }), makeShards('a', 2));
        await store.batches.create(makeBatch({ id: 'c', deadlineMs: 500_000 }), makeShards('c', 1));
        assert.equal((await store.shards.claim('w1', 1_000, 100_000))?.batch.id, 'a');
        assert.equal((await store.shards.claim('w1', 1_000, 100_000))?.batch.id, 'c', 'equal priorities share: the idle batch goes next');
        assert.equal(await store.shards.releaseAll('w1'), 2);
        await store.shards.claim('w9', 1_000, 100_000);
        assert.equal(await store.shards.releaseEveryLease(), 1, "a dead process's leases, whoever held them");
        const again = await store.shards.claim('w2', 1_000, 100_000);
        assert.deepEqual([again?.shard.index, again?.takeover], [0, false], 'a shard given back is no takeover');
        assert.deepEqual((await store.batches.listOverdue(6_000, 10)).map((b) => b.id), ['a']);
        await store.batches.requestStop('c', 'BATCH_STATE_CANCELLED', 2_000);
        await store.batches.requestStop('a', 'BATCH_STATE_EXPIRED', 2_000);
        assert.equal(await store.shards.claim('w2', 2_000, 100_000), undefined);
        assert.deepEqual(await store.batches.listOverdue(6_000, 10), [], 'an expiring batch is not overdue again');
        await store.batches.create(makeBatch({ id: 'x', createTimeMs: 8_000 }), makeShards('x', 1));
        await store.batches.create(makeBatch({ id: 'z', createTimeMs: 9_000 }), makeShards('z', 1));
        await store.batches.create(makeBatch({ id: 'urgent', priority: 9, createTimeMs: 9_500 }), makeShards('urgent', 1));
        const z = await store.batches.getById('z');
        assert.equal(await store.batches.queuePosition(z!), 2, 'behind urgent (higher priority) and x (older); finished batches do not count');
      }));

    test('shards: a stopped batch makes renew and progress fail for its lease holder (any process)', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'b' }), makeShards('b', 1));
        await store.shards.claim('w1', 1_000, 10_000);
        assert.equal(await store.shards.renew('b', 0, 'w1', 20_000), true);
        assert.equal(await store.shards.recordProgress('b', 0, 'w1', 1, 0), true);
        await store.batches.requestStop('b', 'BATCH_STATE_CANCELLED', 2_000);
        assert.equal(await store.shards.renew('b', 0, 'w1', 30_000), false);
        assert.equal(await store.shards.recordProgress('b', 0, 'w1', 2, 0), false);
      }));

    test('workers: heartbeat upserts, liveness by time, leases of active batches per owner, prune and remove', () =>
      withStore(open, async (store) => {
        const worker = {
          id: 'host:1:abc', host: 'host', pid: 1, role: 'worker' as const, version: '0.1.0',
          concurrency: 8, inFlight: 0, startedAtMs: 1_000, heartbeatAtMs: 1_000,
        };
        await store.workers.heartbeat(worker);
        await store.workers.heartbeat({ ...worker, inFlight: 5, heartbeatAtMs: 2_000 });
        await store.workers.heartbeat({ ...worker, id: 'host:2:def', pid: 2, role: 'serve', heartbeatAtMs: 500 });
        assert.deepEqual(await store.workers.listAlive(1_500), [{ ...worker, inFlight: 5, heartbeatAtMs: 2_000 }]);
        assert.equal((await store.workers.listAlive(0)).length, 2);

        await store.batches.create(makeBatch({ id: 'b1', tenantId: 't1' }), makeShards('b1', 2));
        await store.batches.create(makeBatch({ id: 'b2', tenantId: 't2' }), makeShards('b2', 1));
        await store.shards.claim(worker.id, 2_000, 60_000);
        await store.shards.claim(worker.id, 2_000, 60_000);
        await store.shards.claim('host:2:def', 2_000, 3_000);
        await store.shards.recordProgress('b1', 0, worker.id, 3, 1);
        const leases = await store.workers.listLeases(10_000);
        assert.deepEqual(leases.map((lease) => [lease.owner, lease.batchId, lease.shardIndex, lease.tenantId]), [
          [worker.id, 'b1', 0, 't1'],
          [worker.id, 'b2', 0, 't2'],
        ], 'the lapsed lease of host:2 is not listed');
        assert.deepEqual([leases[0]?.succeededCount, leases[0]?.failedCount, leases[0]?.requestCount, leases[0]?.leaseExpiresMs], [3, 1, 2, 60_000]);
        await store.batches.requestStop('b2', 'BATCH_STATE_CANCELLED', 3_000);
        assert.deepEqual((await store.workers.listLeases(10_000)).map((lease) => lease.batchId), ['b1'], 'a cancelled batch holds nothing');

        assert.equal(await store.workers.prune(1_000), 1);
        await store.workers.remove(worker.id);
        assert.deepEqual(await store.workers.listAlive(0), []);
      }));
  });
}

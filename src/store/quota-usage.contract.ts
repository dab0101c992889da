/**
 * The contract of the quota queries: a tenant's usage (stored bytes of uploaded files, PENDING
 * and RUNNING batches, enqueued tokens per model as the unfinished share of each running batch's
 * estimate), and the admissions the creates run in their transaction (a refusal inserts
 * nothing). Run by each adapter's test file next to describeStoreContract.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../core/errors.js';
import type { TenantUsage } from '../core/quota.js';
import { makeBatch, makeFile, makeShards } from './store.contract.js';
import { withStore, type OpenStore } from './testing/with-store.js';

const refuse = (): never => {
  throw new AppError('RESOURCE_EXHAUSTED', 'over');
};


export function describeQuotaUsageContract(name: string, open: OpenStore): void {
  describe(`Store quota usage: ${name}`, () => {
    test('usage sums uploaded bytes, counts active batches and the unfinished share of their token estimates, per tenant', () =>
      withStore(open, async (store) => {
        assert.deepEqual(await store.quotaUsage.usage('t1'), { storedFileBytes: 0, activeBatches: 0, enqueuedTokensByModel: {} });
        await store.files.insert(makeFile({ id: 'f1', sizeBytes: 100 }));
        await store.files.insert(makeFile({ id: 'f2', sizeBytes: 50 }));
        await store.files.insert(makeFile({ id: 'g', sizeBytes: 7, source: 'GENERATED' }));
        await store.files.insert(makeFile({ id: 'o', tenantId: 't2', sizeBytes: 1000 }));
        // a: 4 requests (2 shards of 2), 400 tokens; b: pro, 4 requests, 80 tokens; c: stopped; d: finished; e: other tenant.
        await store.batches.create(makeBatch({ id: 'a', estimatedTokens: 400 }), makeShards('a', 2));
        await store.batches.create(makeBatch({ id: 'b', model: 'gemini-2.5-pro', estimatedTokens: 80, createTimeMs: 2_000 }), makeShards('b', 2));
        await store.batches.create(makeBatch({ id: 'c', estimatedTokens: 1_000, createTimeMs: 3_000 }), makeShards('c', 2));
        await store.batches.create(makeBatch({ id: 'd', estimatedTokens: 1_000, createTimeMs: 4_000 }), makeShards('d', 2));
        await store.batches.create(makeBatch({ id: 'e', tenantId: 't2', estimatedTokens: 1_000, createTimeMs: 5_000 }), makeShards('e', 2));
        await store.batches.requestStop('c', 'BATCH_STATE_CANCELLED', 5_000);
        await store.batches.recordResults('d', 6_000, { resultsBlobKey: 'r', succeededCount: 4, failedCount: 0 }, []);
        const claimed = await store.shards.claim('w1', 6_000, 60_000);
        assert.equal(claimed?.batch.id, 'a');
        await store.shards.recordProgress('a', 0, 'w1', 1, 0);

        assert.deepEqual(await store.quotaUsage.usage('t1'), {
          storedFileBytes: 150,
          activeBatches: 3,
          enqueuedTokensByModel: { 'gemini-2.5-flash': 300, 'gemini-2.5-pro': 80 },
        } satisfies TenantUsage, 'a has 3 of 4 requests left; c (stopping) counts as a batch but enqueues nothing; d is done');
        assert.equal((await store.batches.get('t1', 'a'))?.estimatedTokens, 400, 'the estimate is stored with the batch');
        assert.equal((await store.quotaUsage.usage('t2')).storedFileBytes, 1000);
      }));

    test('a refused admission inserts nothing: files, completed uploads and batches', () =>
      withStore(open, async (store) => {
        let seen: TenantUsage | undefined;
        await store.files.insert(makeFile({ id: 'f1', sizeBytes: 100 }), (usage) => {
          seen = usage;
        });
        assert.equal(seen?.storedFileBytes, 0, 'the usage without the file being inserted');
        await assert.rejects(store.files.insert(makeFile({ id: 'f2', sizeBytes: 10 }), (usage) => {
          assert.equal(usage.storedFileBytes, 100);
          refuse();
        }), (error: unknown) => error instanceof AppError && error.status === 'RESOURCE_EXHAUSTED');
        assert.equal(await store.files.get('t1', 'f2'), undefined);

        const session = {
          uploadId: 'u1', tenantId: 't1', fileId: 'f9', displayName: '', mimeType: 'text/plain', declaredSizeBytes: undefined,
          receivedBytes: 5, stagingKey: 'uploads/u1', createTimeMs: 1_000, updateTimeMs: 1_000,
        };
        assert.equal(await store.uploads.insert(session), true);
        await assert.rejects(store.uploads.complete('u1', makeFile({ id: 'f9', sizeBytes: 5, blobKey: 'uploads/u1' }), refuse), AppError);
        assert.equal(await store.files.get('t1', 'f9'), undefined);
        assert.ok(await store.uploads.get('u1'), 'the session stays when the completion is refused');
        assert.equal(await store.uploads.complete('u1', makeFile({ id: 'f9', sizeBytes: 5, blobKey: 'uploads/u1' }), () => undefined), true);

        await assert.rejects(store.batches.create(makeBatch({ id: 'b1' }), makeShards('b1', 2), (usage) => {
          assert.equal(usage.activeBatches, 0);
          refuse();
        }), AppError);
        assert.equal(await store.batches.get('t1', 'b1'), undefined);
        assert.deepEqual(await store.shards.listForBatch('b1'), []);
        const created = await store.batches.create(makeBatch({ id: 'b1', idempotencyKey: 'k' }), makeShards('b1', 2), () => undefined);
        assert.equal(created.created, true);
        const replay = await store.batches.create(makeBatch({ id: 'b2', idempotencyKey: 'k' }), makeShards('b2', 2), refuse);
        assert.deepEqual([replay.created, replay.batch.id], [false, 'b1'], 'a repeated idempotency key replays, not refused');
      }));

    test('racing creates of one tenant are admitted one after the other: a limit of 2 admits exactly 2 of 6', () =>
      withStore(open, async (store) => {
        const atMostTwo = (usage: TenantUsage): void => {
          if (usage.activeBatches >= 2) refuse();
        };
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
          store.batches.create(makeBatch({ id: `r${i}`, createTimeMs: 1_000 + i }), makeShards(`r${i}`, 1), atMostTwo)));
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, 2);
        assert.ok(results.every((result) => result.status === 'fulfilled' || result.reason instanceof AppError));
        assert.equal((await store.quotaUsage.usage('t1')).activeBatches, 2);
        const files = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
          store.files.insert(makeFile({ id: `f${i}`, sizeBytes: 40 }), (usage) => {
            if (usage.storedFileBytes + 40 > 100) refuse();
          })));
        assert.equal(files.filter((result) => result.status === 'fulfilled').length, 2);
        assert.equal((await store.quotaUsage.usage('t1')).storedFileBytes, 80);
      }));
  });
}

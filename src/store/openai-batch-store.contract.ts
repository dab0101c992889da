/**
 * The behavioural contract of what the OpenAI-compatible surface (issue 14) adds to the store:
 * a batch's `openai` fields round-trip; `recordResults` stores several results files (an OpenAI
 * batch's output and error files) in its one transaction; a batch created already terminal (an
 * input that failed validation) queues its webhook event at create and is never claimed,
 * expired or finalized; files list oldest first with `ascending`. Each Store implementation's
 * test file calls `describeOpenAIBatchStoreContract` with a factory that opens a fresh, empty
 * store on a real database, as for `describeStoreContract`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BatchRecord, OpenAIBatchFields } from '../core/batch.js';
import type { FileRecord } from '../core/file.js';
import { makeBatch, makeFile as makeBaseFile, makeShards } from './testing/records.js';
import { withStore, type OpenStore } from './testing/webhook-fixtures.js';

/** A generated file (an output or error file) of tenant t1. */
function makeFile(overrides: Partial<FileRecord> = {}): FileRecord {
  return makeBaseFile({ displayName: 'file', source: 'GENERATED', blobKey: 'k', createTimeMs: 5_000, updateTimeMs: 5_000, expirationTimeMs: 500_000, ...overrides });
}

const openai: OpenAIBatchFields = {
  endpoint: '/v1/chat/completions', completionWindow: '24h', metadata: { description: 'nightly', 'ünï': 'ç' },
  inputFileId: 'files/f1', errors: undefined,
};

/** The batch an OpenAI create makes of a file whose lines failed validation. */
const failedAtCreate = (overrides: Partial<BatchRecord> = {}): BatchRecord =>
  makeBatch({
    id: 'bad', state: 'BATCH_STATE_FAILED', requestCount: 0, endTimeMs: 1_000, deadlineMs: 2_000,
    error: { code: 3, message: 'The input file has 1 invalid line; the first: line 2: bad', status: 'INVALID_ARGUMENT' },
    openai: { ...openai, errors: [{ line: 2, code: 'invalid_json', message: 'bad', param: null }] },
    ...overrides,
  });

export function describeOpenAIBatchStoreContract(name: string, open: OpenStore): void {
  describe(`OpenAI batch store contract: ${name}`, () => {
    test('batches: the openai fields round-trip; a native batch has none', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ openai }), makeShards('b1', 2));
        await store.batches.create(makeBatch({ id: 'native', createTimeMs: 2_000 }), makeShards('native', 1));
        assert.deepEqual(await store.batches.get('t1', 'b1'), makeBatch({ openai }));
        assert.deepEqual((await store.batches.list('t1', { limit: 10 })).map((batch) => batch.openai), [undefined, openai]);
        assert.equal('openai' in (await store.batches.getById('native'))!, false);
        const claimed = await store.shards.claim('w1', 2_000, 9_000);
        assert.deepEqual(claimed?.batch.openai, openai, 'a claimed shard carries its batch whole');
      }));

    test('recordResults stores every results file in its transaction, each replacing a leftover of its id', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ openai }), makeShards('b1', 1));
        await store.files.insert(makeFile({ id: 'batch-b1-errors', blobKey: 'crashed-attempt' }));
        const output = makeFile({ id: 'batch-b1', blobKey: 'out' });
        const errors = makeFile({ id: 'batch-b1-errors', blobKey: 'err', sizeBytes: 20 });
        assert.equal(await store.batches.recordResults('b1', 5_000, { resultsBlobKey: 'out', outputFileId: 'batch-b1', succeededCount: 1, failedCount: 1 }, [output, errors]), true);
        assert.deepEqual(await store.files.get('t1', 'batch-b1'), output);
        assert.deepEqual(await store.files.get('t1', 'batch-b1-errors'), errors);
        const late = [makeFile({ id: 'batch-b1', blobKey: 'late' }), makeFile({ id: 'batch-b1-errors', blobKey: 'late' })];
        assert.equal(await store.batches.recordResults('b1', 6_000, { resultsBlobKey: 'late' }, late), false);
        assert.deepEqual([(await store.files.get('t1', 'batch-b1'))?.blobKey, (await store.files.get('t1', 'batch-b1-errors'))?.blobKey], ['out', 'err'], 'a losing finalizer stores no file');
        const done = await store.batches.getById('b1');
        assert.deepEqual([done?.state, done?.resultsBlobKey, done?.openai], ['BATCH_STATE_SUCCEEDED', 'out', openai]);
      }));

    test('a batch created terminal queues its event at create and is never claimed, expired or finalized; it deletes', () =>
      withStore(open, async (store) => {
        const bad = failedAtCreate({ priority: 5 });
        assert.deepEqual(await store.batches.create(bad, []), { created: true, batch: bad });
        assert.deepEqual(await store.batches.get('t1', 'bad'), bad);
        assert.deepEqual(await store.webhookEvents.listPending(10), [{
          id: 'batch-bad', tenantId: 't1', type: 'batch.failed', createTimeMs: 1_000, userMetadata: undefined, uris: undefined,
          data: { id: 'batches/bad', error_code: 3, error_message: bad.error?.message },
        }]);
        await store.batches.create(makeBatch({ id: 'running', deadlineMs: 2_000 }), makeShards('running', 1));
        assert.equal((await store.shards.claim('w1', 10_000, 20_000))?.batch.id, 'running');
        assert.equal(await store.shards.claim('w1', 10_000, 20_000), undefined);
        assert.deepEqual((await store.batches.listOverdue(10_000, 10)).map((batch) => batch.id), ['running'], 'past its deadline, yet not overdue');
        assert.equal(await store.batches.requestStop('bad', 'BATCH_STATE_CANCELLED', 10_000), false);
        assert.deepEqual(await store.batches.listUnfinalized(10), []);
        assert.equal(await store.batches.queuePosition(makeBatch({ id: 'zz', createTimeMs: 9_000 })), 0, 'a terminal batch is not queued, whatever its priority');
        assert.equal(await store.shards.hasLiveLease('bad', 10_000), false);
        assert.deepEqual((await store.batches.delete('t1', 'bad'))?.id, 'bad');
        assert.equal(await store.batches.getById('bad'), undefined);
      }));

    test('a create that loses on its idempotency key queues no event', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'first', idempotencyKey: 'k', requestHash: 'h' }), makeShards('first', 1));
        const retried = await store.batches.create(failedAtCreate({ idempotencyKey: 'k', requestHash: 'h' }), []);
        assert.deepEqual([retried.created, retried.batch.id], [false, 'first']);
        assert.deepEqual(await store.webhookEvents.listPending(10), []);
      }));

    test('files: ascending keyset paging is oldest first, stable on equal times, and complete', () =>
      withStore(open, async (store) => {
        const ids: string[] = [];
        for (let index = 0; index < 17; index++) {
          const id = `f${String(index).padStart(2, '0')}`;
          ids.push(id);
          await store.files.insert(makeFile({ id, createTimeMs: 1_000 + Math.floor(index / 3), source: 'UPLOADED' }));
        }
        await store.files.insert(makeFile({ id: 'other', tenantId: 't2', createTimeMs: 1 }));
        const seen: string[] = [];
        let page = await store.files.list('t1', { limit: 5, ascending: true });
        while (page.length > 0) {
          seen.push(...page.map((file) => file.id));
          const last = page[page.length - 1]!;
          page = await store.files.list('t1', { limit: 5, ascending: true, after: { createTimeMs: last.createTimeMs, id: last.id } });
        }
        assert.deepEqual(seen, ids);
        assert.deepEqual((await store.files.list('t1', { limit: 2, ascending: false })).map((file) => file.id), ['f16', 'f15']);
      }));
  });
}

/**
 * The behavioural contract of the webhook repositories (issue 13) and of what batches add for
 * them (`update`, and the outbox event `recordResults` queues). Each Store implementation's
 * test file calls `describeWebhookStoreContract` with a factory that opens a fresh, empty store
 * on a real database, as for `describeStoreContract`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FileRecord } from '../core/file.js';
import { describeDeliveryStoreContract } from './delivery-store.contract.js';
import { makeBatch, makeShards } from './testing/records.js';
import { makeDelivery, makeWebhook, withStore, type OpenStore } from './testing/webhook-fixtures.js';

function resultsFile(batchId: string): FileRecord {
  return {
    id: `batch-${batchId}`, tenantId: 't1', displayName: 'results', mimeType: 'application/jsonl', sizeBytes: 10,
    sha256Hex: 'ab'.repeat(32), state: 'ACTIVE', source: 'GENERATED', blobKey: `batches/${batchId}/results.jsonl`,
    createTimeMs: 5_000, updateTimeMs: 5_000, expirationTimeMs: 500_000,
  };
}

export function describeWebhookStoreContract(name: string, open: OpenStore): void {
  describe(`Webhook store contract: ${name}`, () => {
    test('webhooks: insert, get, update, delete; a clashing id is an error', () =>
      withStore(open, async (store) => {
        await store.webhooks.insert(makeWebhook());
        assert.deepEqual(await store.webhooks.get('t1', 'wh1'), makeWebhook());
        await assert.rejects(store.webhooks.insert(makeWebhook({ name: 'again' })));
        const changed = makeWebhook({ name: 'renamed', uri: 'https://other.example', subscribedEvents: ['batch.expired'], state: 'disabled', signingSecrets: [], updateTimeMs: 3_000, createTimeMs: 999 });
        assert.equal(await store.webhooks.update(changed), true);
        assert.deepEqual(await store.webhooks.get('t1', 'wh1'), { ...changed, createTimeMs: 1_000 }, 'the create time is not a mutable field');
        assert.equal(await store.webhooks.update(makeWebhook({ id: 'nope' })), false);
        assert.deepEqual(await store.webhooks.delete('t1', 'wh1'), { ...changed, createTimeMs: 1_000 });
        assert.equal(await store.webhooks.get('t1', 'wh1'), undefined);
        assert.equal(await store.webhooks.delete('t1', 'wh1'), undefined);
      }));

    test('webhooks: keyset paging is newest first, stable on equal times, and complete', () =>
      withStore(open, async (store) => {
        const ids: string[] = [];
        for (let index = 0; index < 11; index++) {
          const id = `wh${String(index).padStart(2, '0')}`;
          ids.push(id);
          await store.webhooks.insert(makeWebhook({ id, createTimeMs: 1_000 + Math.floor(index / 3) }));
        }
        await store.webhooks.insert(makeWebhook({ id: 'other', tenantId: 't2', createTimeMs: 1_001 }));
        const seen: string[] = [];
        let page = await store.webhooks.list('t1', { limit: 4 });
        while (page.length > 0) {
          seen.push(...page.map((webhook) => webhook.id));
          const last = page[page.length - 1]!;
          page = await store.webhooks.list('t1', { limit: 4, after: { createTimeMs: last.createTimeMs, id: last.id } });
        }
        assert.deepEqual(seen, [...ids].reverse());
      }));

    test("webhooks: another tenant's webhook is not found, listed, updated or deleted", () =>
      withStore(open, async (store) => {
        await store.webhooks.insert(makeWebhook());
        assert.equal(await store.webhooks.get('t2', 'wh1'), undefined);
        assert.deepEqual(await store.webhooks.list('t2', { limit: 10 }), []);
        assert.equal(await store.webhooks.update(makeWebhook({ tenantId: 't2', name: 'stolen' })), false);
        assert.equal(await store.webhooks.delete('t2', 'wh1'), undefined);
        assert.deepEqual(await store.webhooks.listSubscribed('t2', 'batch.succeeded'), []);
        assert.deepEqual(await store.webhooks.get('t1', 'wh1'), makeWebhook(), 'untouched');
      }));

    test('webhooks: listSubscribed gives the tenant\'s enabled webhooks subscribed to the type, oldest first', () =>
      withStore(open, async (store) => {
        await store.webhooks.insert(makeWebhook({ id: 'late', createTimeMs: 3_000 }));
        await store.webhooks.insert(makeWebhook({ id: 'early', createTimeMs: 2_000 }));
        await store.webhooks.insert(makeWebhook({ id: 'off', state: 'disabled' }));
        await store.webhooks.insert(makeWebhook({ id: 'failing', state: 'disabled_due_to_failed_deliveries' }));
        await store.webhooks.insert(makeWebhook({ id: 'expiry', subscribedEvents: ['batch.expired'] }));
        await store.webhooks.insert(makeWebhook({ id: 'theirs', tenantId: 't2' }));
        assert.deepEqual((await store.webhooks.listSubscribed('t1', 'batch.succeeded')).map((webhook) => webhook.id), ['early', 'late']);
        assert.deepEqual((await store.webhooks.listSubscribed('t1', 'batch.expired')).map((webhook) => webhook.id), ['expiry']);
        assert.deepEqual(await store.webhooks.listSubscribed('t1', 'batch'), [], 'a whole type, not a prefix');
      }));

    test('batches.update: priority and display name in any state, tenant-scoped; a raised priority is claimed first', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'old', createTimeMs: 1_000 }), makeShards('old', 1));
        await store.batches.create(makeBatch({ id: 'new', createTimeMs: 2_000 }), makeShards('new', 1));
        assert.equal(await store.batches.update('t2', 'new', { priority: 5 }, 3_000), undefined, "another tenant's batch");
        const renamed = await store.batches.update('t1', 'new', { displayName: 'renamed' }, 3_000);
        assert.deepEqual([renamed?.displayName, renamed?.priority, renamed?.updateTimeMs], ['renamed', 0, 3_000]);
        const raised = await store.batches.update('t1', 'new', { priority: 5 }, 4_000);
        assert.deepEqual([raised?.displayName, raised?.priority, raised?.updateTimeMs], ['renamed', 5, 4_000], 'fields left undefined keep their value');
        assert.deepEqual(await store.batches.get('t1', 'new'), raised);
        assert.equal((await store.shards.claim('w1', 5_000, 9_000))?.batch.id, 'new', 'before the older batch of lower priority');
        await store.batches.recordResults('old', 6_000, { resultsBlobKey: 'r' }, []);
        assert.equal((await store.batches.update('t1', 'old', { displayName: 'done' }, 7_000))?.displayName, 'done', 'a terminal batch too');
        assert.equal(await store.batches.update('t1', 'missing', { priority: 1 }, 7_000), undefined);
      }));

    test('recordResults queues one batch.succeeded event with the results file, the uris and the user metadata', () =>
      withStore(open, async (store) => {
        const webhookConfig = { uris: ['https://a.example/hook', 'https://b.example/hook'], userMetadata: { job: 7, tags: ['x'] } };
        await store.batches.create(makeBatch({ webhookConfig }), makeShards('b1', 1));
        assert.deepEqual(await store.webhookEvents.listPending(10), [], 'nothing while the batch runs');
        assert.equal(await store.batches.recordResults('b1', 5_000, { resultsBlobKey: 'r', outputFileId: 'batch-b1', succeededCount: 2 }, [resultsFile('b1')]), true);
        const expected = {
          id: 'batch-b1', tenantId: 't1', type: 'batch.succeeded', data: { id: 'batches/b1', output_file_uri: 'files/batch-b1' },
          userMetadata: webhookConfig.userMetadata, uris: webhookConfig.uris, createTimeMs: 5_000,
        };
        assert.deepEqual(await store.webhookEvents.listPending(10), [expected]);
        assert.equal(await store.batches.recordResults('b1', 6_000, { resultsBlobKey: 'r2' }, [resultsFile('b1')]), false);
        assert.deepEqual(await store.webhookEvents.listPending(10), [expected], 'a losing finalizer queues nothing more');
        await store.batches.create(makeBatch({ id: 'inline', inputKind: 'inline', inputFileId: undefined, createTimeMs: 2_000 }), makeShards('inline', 1));
        await store.batches.recordResults('inline', 7_000, { resultsBlobKey: 'r3' }, []);
        const events = await store.webhookEvents.listPending(10);
        assert.deepEqual(events[1], { id: 'batch-inline', tenantId: 't1', type: 'batch.succeeded', data: { id: 'batches/inline' }, userMetadata: undefined, uris: undefined, createTimeMs: 7_000 });
        assert.deepEqual((await store.webhookEvents.listPending(1)).map((event) => event.id), ['batch-b1'], 'oldest first, limited');
      }));

    test('recordResults after a stop request queues batch.cancelled or batch.expired', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'c' }), makeShards('c', 1));
        await store.batches.create(makeBatch({ id: 'e' }), makeShards('e', 1));
        await store.batches.requestStop('c', 'BATCH_STATE_CANCELLED', 2_000);
        await store.batches.requestStop('e', 'BATCH_STATE_EXPIRED', 2_000);
        await store.batches.recordResults('c', 3_000, { resultsBlobKey: 'rc', outputFileId: 'batch-c' }, [resultsFile('c')]);
        await store.batches.recordResults('e', 4_000, { resultsBlobKey: 're' }, []);
        const events = await store.webhookEvents.listPending(10);
        assert.deepEqual(events.map((event) => [event.id, event.type, event.data]), [
          ['batch-c', 'batch.cancelled', { id: 'batches/c', output_file_uri: 'files/batch-c' }],
          ['batch-e', 'batch.expired', { id: 'batches/e' }],
        ]);
      }));

    test('a FAILED stop request stores its error, and recordResults queues batch.failed with it', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ id: 'f' }), makeShards('f', 1));
        const error = { code: 5, status: 'NOT_FOUND', message: 'models/gone is no longer served' };
        assert.equal(await store.batches.requestStop('f', 'BATCH_STATE_FAILED', 2_000, error), true);
        assert.deepEqual((await store.batches.get('t1', 'f'))?.error, error);
        await store.batches.recordResults('f', 3_000, { resultsBlobKey: 'rf' }, []);
        const batch = await store.batches.get('t1', 'f');
        assert.equal(batch?.state, 'BATCH_STATE_FAILED');
        const events = await store.webhookEvents.listPending(10);
        assert.deepEqual(events.map((event) => [event.id, event.type, event.data]), [
          ['batch-f', 'batch.failed', { id: 'batches/f', error_code: 5, error_message: error.message }],
        ]);
      }));

    test('webhookEvents.fanOut inserts the deliveries and removes the event, once', () =>
      withStore(open, async (store) => {
        await store.batches.create(makeBatch({ webhookConfig: { uris: ['https://a.example'] } }), makeShards('b1', 1));
        await store.batches.recordResults('b1', 5_000, { resultsBlobKey: 'r' }, []);
        const deliveries = [
          makeDelivery({ id: 'msg_a', webhookId: undefined, uri: 'https://a.example', userMetadata: { k: 'v' }, nextAttemptMs: 5_000 }),
          makeDelivery({ id: 'msg_b', nextAttemptMs: 5_000 }),
        ];
        assert.equal(await store.webhookEvents.fanOut('batch-b1', deliveries), true);
        assert.deepEqual(await store.webhookEvents.listPending(10), []);
        assert.deepEqual(await store.deliveries.get('msg_a'), deliveries[0]);
        assert.deepEqual(await store.deliveries.get('msg_b'), deliveries[1]);
        assert.equal(await store.webhookEvents.fanOut('batch-b1', [makeDelivery({ id: 'msg_c' })]), false, 'the second fan-out loses');
        assert.equal(await store.deliveries.get('msg_c'), undefined, 'and inserts nothing');
        assert.equal(await store.webhookEvents.fanOut('never-queued', [makeDelivery({ id: 'msg_d' })]), false);
        assert.equal(await store.deliveries.get('msg_d'), undefined);
      }));

    test('signing keys: insert, list newest first, delete', () =>
      withStore(open, async (store) => {
        const key = (kid: string, createTimeMs: number) => ({
          kid, privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${kid}\n-----END PRIVATE KEY-----\n`,
          publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: 'abc', e: 'AQAB' }, createTimeMs,
        });
        assert.deepEqual(await store.signingKeys.list(), []);
        await store.signingKeys.insert(key('k1', 1_000));
        await store.signingKeys.insert(key('k3', 3_000));
        await store.signingKeys.insert(key('k2', 2_000));
        assert.deepEqual(await store.signingKeys.list(), [key('k3', 3_000), key('k2', 2_000), key('k1', 1_000)]);
        await store.signingKeys.delete('k3');
        await store.signingKeys.delete('absent');
        assert.deepEqual((await store.signingKeys.list()).map((k) => k.kid), ['k2', 'k1']);
      }));

    describeDeliveryStoreContract(open);
  });
}

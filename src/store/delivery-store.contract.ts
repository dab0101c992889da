/**
 * The delivery half of the webhook store contract: claiming under a lease, recording attempts,
 * what a failure or a deleted webhook does to the other, and clean-up. Run by
 * `describeWebhookStoreContract` (webhook-store.contract.ts) inside its suite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from './store.js';
import { makeDelivery, makeWebhook, withStore, type OpenStore } from './testing/webhook-fixtures.js';

const claimedIds = async (store: Store, owner: string, nowMs: number, leaseUntilMs: number, limit = 10): Promise<string[]> =>
  (await store.deliveries.claim(owner, nowMs, leaseUntilMs, limit)).map((delivery) => delivery.id);

export function describeDeliveryStoreContract(open: OpenStore): void {
  test('deliveries: claim takes due, unleased pending ones, earliest first, up to the limit; a lease holds until it lapses', () =>
    withStore(open, async (store) => {
      await store.deliveries.insert(makeDelivery({ id: 'late', nextAttemptMs: 3_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'early', nextAttemptMs: 1_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'mid', nextAttemptMs: 2_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'future', nextAttemptMs: 50_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'done', nextAttemptMs: 500, state: 'delivered', attempts: 1, completeTimeMs: 900 }));
      const first = await store.deliveries.claim('w1', 5_000, 10_000, 2);
      assert.deepEqual(first, [makeDelivery({ id: 'early', nextAttemptMs: 1_000 }), makeDelivery({ id: 'mid', nextAttemptMs: 2_000 })]);
      assert.deepEqual(await claimedIds(store, 'w2', 5_000, 10_000), ['late'], 'leased ones, future ones and final ones are not claimed');
      assert.deepEqual(await claimedIds(store, 'w3', 9_999, 20_000), [], 'not before the leases lapse');
      assert.equal(await store.deliveries.recordAttempt('early', 'w2', { kind: 'delivered', nowMs: 9_999 }), false, 'not the owner');
      assert.deepEqual(await store.deliveries.get('early'), makeDelivery({ id: 'early', nextAttemptMs: 1_000 }), 'unchanged');
      assert.deepEqual(await claimedIds(store, 'w3', 15_000, 20_000), ['early', 'mid', 'late'], 'lapsed leases are taken over');
      assert.equal(await store.deliveries.recordAttempt('early', 'w1', { kind: 'delivered', nowMs: 15_000 }), false, 'the old owner lost it');
      assert.equal(await store.deliveries.recordAttempt('early', 'w3', { kind: 'delivered', nowMs: 15_000 }), true);
      assert.equal(await store.deliveries.get('absent'), undefined);
    }));

  test('deliveries: recordAttempt counts attempts and frees the lease; retry stays pending, the other outcomes are final', () =>
    withStore(open, async (store) => {
      await store.deliveries.insert(makeDelivery({ id: 'd1', webhookId: undefined, nextAttemptMs: 1_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'd2', webhookId: undefined, nextAttemptMs: 1_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'd3', webhookId: undefined, nextAttemptMs: 1_000 }));
      assert.equal((await store.deliveries.claim('w1', 1_000, 60_000, 10)).length, 3);
      assert.equal(await store.deliveries.recordAttempt('d1', 'w1', { kind: 'retry', nowMs: 2_000, nextAttemptMs: 8_000, error: 'HTTP 503' }), true);
      assert.deepEqual(await store.deliveries.get('d1'), makeDelivery({ id: 'd1', webhookId: undefined, attempts: 1, nextAttemptMs: 8_000, lastError: 'HTTP 503' }));
      assert.equal(await store.deliveries.recordAttempt('d1', 'w1', { kind: 'delivered', nowMs: 2_000 }), false, 'the lease was freed');
      assert.deepEqual(await claimedIds(store, 'w2', 7_999, 60_000), [], 'not before its next attempt time');
      assert.deepEqual(await claimedIds(store, 'w2', 8_000, 60_000), ['d1'], 'free at once, though the old lease ran to 60 000');
      assert.equal(await store.deliveries.recordAttempt('d1', 'w2', { kind: 'delivered', nowMs: 8_100 }), true);
      assert.deepEqual(await store.deliveries.get('d1'), makeDelivery({ id: 'd1', webhookId: undefined, state: 'delivered', attempts: 2, nextAttemptMs: 8_000, completeTimeMs: 8_100 }));
      assert.equal(await store.deliveries.recordAttempt('d1', 'w2', { kind: 'retry', nowMs: 8_200, nextAttemptMs: 9_000, error: 'x' }), false, 'final');

      assert.equal(await store.deliveries.recordAttempt('d2', 'w1', { kind: 'failed', nowMs: 3_000, error: 'retry window over' }), true);
      assert.deepEqual(await store.deliveries.get('d2'), makeDelivery({ id: 'd2', webhookId: undefined, state: 'failed', attempts: 1, completeTimeMs: 3_000, lastError: 'retry window over' }));
      assert.equal(await store.deliveries.recordAttempt('d3', 'w1', { kind: 'dropped', nowMs: 4_000, error: 'webhook disabled' }), true);
      assert.deepEqual(await store.deliveries.get('d3'), makeDelivery({ id: 'd3', webhookId: undefined, state: 'dropped', attempts: 1, completeTimeMs: 4_000, lastError: 'webhook disabled' }));
      assert.deepEqual(await claimedIds(store, 'w3', 100_000, 200_000), [], 'final deliveries are never claimed');
    }));

  test('deliveries: a failed delivery disables its static webhook in the same step; others stay as they were', () =>
    withStore(open, async (store) => {
      await store.webhooks.insert(makeWebhook({ id: 'wh1' }));
      await store.webhooks.insert(makeWebhook({ id: 'wh2' }));
      await store.webhooks.insert(makeWebhook({ id: 'off', state: 'disabled' }));
      await store.deliveries.insert(makeDelivery({ id: 'a', webhookId: 'wh1' }));
      await store.deliveries.insert(makeDelivery({ id: 'b', webhookId: 'wh2' }));
      await store.deliveries.insert(makeDelivery({ id: 'c', webhookId: 'off' }));
      await store.deliveries.claim('w1', 1_000, 60_000, 10);
      assert.equal(await store.deliveries.recordAttempt('a', 'w1', { kind: 'failed', nowMs: 9_000, error: 'HTTP 410' }), true);
      assert.deepEqual(await store.webhooks.get('t1', 'wh1'), makeWebhook({ id: 'wh1', state: 'disabled_due_to_failed_deliveries', updateTimeMs: 9_000 }));
      assert.equal(await store.deliveries.recordAttempt('b', 'w1', { kind: 'retry', nowMs: 9_000, nextAttemptMs: 10_000, error: 'HTTP 500' }), true);
      assert.deepEqual(await store.webhooks.get('t1', 'wh2'), makeWebhook({ id: 'wh2' }), 'a retry changes nothing of the webhook');
      assert.equal(await store.deliveries.recordAttempt('c', 'w1', { kind: 'failed', nowMs: 9_000, error: 'HTTP 500' }), true);
      assert.deepEqual(await store.webhooks.get('t1', 'off'), makeWebhook({ id: 'off', state: 'disabled' }), "a user's disable stands");
    }));

  test("deliveries: deleting a webhook drops its pending deliveries, not another webhook's or its finished ones", () =>
    withStore(open, async (store) => {
      await store.webhooks.insert(makeWebhook({ id: 'wh1' }));
      await store.webhooks.insert(makeWebhook({ id: 'wh2' }));
      await store.deliveries.insert(makeDelivery({ id: 'queued', webhookId: 'wh1', nextAttemptMs: 1_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'leased', webhookId: 'wh1', nextAttemptMs: 500 }));
      await store.deliveries.insert(makeDelivery({ id: 'sent', webhookId: 'wh1', state: 'delivered', attempts: 1, completeTimeMs: 900 }));
      await store.deliveries.insert(makeDelivery({ id: 'other', webhookId: 'wh2', nextAttemptMs: 1_000 }));
      assert.deepEqual(await claimedIds(store, 'w1', 1_000, 60_000, 1), ['leased']);
      assert.equal(await store.webhooks.delete('t2', 'wh1'), undefined);
      assert.equal((await store.deliveries.get('queued'))?.state, 'pending', "another tenant's delete drops nothing");
      assert.equal((await store.webhooks.delete('t1', 'wh1'))?.id, 'wh1');
      assert.deepEqual(await claimedIds(store, 'w2', 100_000, 200_000), ['other']);
      assert.notEqual((await store.deliveries.get('queued'))?.state, 'pending');
      assert.equal(await store.deliveries.recordAttempt('leased', 'w1', { kind: 'delivered', nowMs: 2_000 }), false, 'its holder finds it dropped');
      assert.equal((await store.deliveries.get('sent'))?.state, 'delivered', 'history stays');
    }));

  test('deliveries: releaseEveryLease frees every lease; pruneFinished removes final ones completed before the cutoff', () =>
    withStore(open, async (store) => {
      await store.deliveries.insert(makeDelivery({ id: 'p1' }));
      await store.deliveries.insert(makeDelivery({ id: 'p2' }));
      await store.deliveries.insert(makeDelivery({ id: 'p3' }));
      await store.deliveries.claim('w1', 1_000, 60_000, 1);
      await store.deliveries.claim('w2', 1_000, 60_000, 1);
      assert.equal(await store.deliveries.releaseEveryLease(), 2);
      assert.deepEqual(await claimedIds(store, 'w3', 1_000, 60_000), ['p1', 'p2', 'p3']);

      await store.deliveries.insert(makeDelivery({ id: 'old-ok', state: 'delivered', attempts: 1, completeTimeMs: 1_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'old-failed', state: 'failed', attempts: 9, completeTimeMs: 2_000, lastError: 'x' }));
      await store.deliveries.insert(makeDelivery({ id: 'old-dropped', state: 'dropped', attempts: 0, completeTimeMs: 2_999, lastError: 'y' }));
      await store.deliveries.insert(makeDelivery({ id: 'recent', state: 'delivered', attempts: 1, completeTimeMs: 3_000 }));
      await store.deliveries.insert(makeDelivery({ id: 'waiting', createTimeMs: 0, nextAttemptMs: 0 }));
      assert.equal(await store.deliveries.pruneFinished(3_000), 3);
      for (const id of ['old-ok', 'old-failed', 'old-dropped']) assert.equal(await store.deliveries.get(id), undefined, id);
      for (const id of ['recent', 'waiting', 'p1']) assert.ok(await store.deliveries.get(id), id);
    }));
}

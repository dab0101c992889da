/**
 * Fan-out: turns each event waiting in the outbox into its deliveries, one per target. A batch
 * that named its own `webhookConfig.uris` is delivered there only (dynamic, JWT-signed, with its
 * user metadata); otherwise every enabled webhook of the tenant subscribed to the event type
 * gets one (static, signed with its secrets). Inserting the deliveries and removing the event
 * is one compare-and-set in the store, so of two processes fanning out the same event one wins.
 */
import type { DeliveryRecord, WebhookEvent } from '../core/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Store } from '../store/store.js';
import { eventBody, newDeliveryId } from './delivery-request.js';

/**
 * The deliveries of `event`, created and due at `nowMs` (so each has its whole retry window
 * even when the event waited in the outbox while no dispatcher ran).
 */
export async function deliveriesOf(store: Store, event: WebhookEvent, randomId: IdGenerator, nowMs: number): Promise<DeliveryRecord[]> {
  const body = eventBody(event);
  const delivery = (uri: string, webhookId: string | undefined, userMetadata: unknown): DeliveryRecord => ({
    id: newDeliveryId(randomId), tenantId: event.tenantId, eventType: event.type, webhookId, uri, body, userMetadata,
    state: 'pending', attempts: 0, nextAttemptMs: nowMs, createTimeMs: nowMs,
    completeTimeMs: undefined, lastError: undefined,
  });
  if (event.uris !== undefined && event.uris.length > 0) {
    return [...new Set(event.uris)].map((uri) => delivery(uri, undefined, event.userMetadata));
  }
  const webhooks = await store.webhooks.listSubscribed(event.tenantId, event.type);
  return webhooks.map((webhook) => delivery(webhook.uri, webhook.id, undefined));
}

/**
 * Fans out up to `limit` queued events, oldest first. Resolves how many were read, so the
 * caller knows whether more are waiting.
 */
export async function fanOutEvents(store: Store, clock: Clock, randomId: IdGenerator, limit: number): Promise<{ read: number; deliveries: number }> {
  const events = await store.webhookEvents.listPending(limit);
  let deliveries = 0;
  for (const event of events) {
    const targets = await deliveriesOf(store, event, randomId, clock.now());
    if (await store.webhookEvents.fanOut(event.id, targets)) deliveries += targets.length;
  }
  return { read: events.length, deliveries };
}

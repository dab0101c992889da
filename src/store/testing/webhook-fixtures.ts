/** Test fixtures shared by the webhook contract suites (webhook-store.contract.ts, delivery-store.contract.ts). */
import type { DeliveryRecord, WebhookRecord } from '../../core/webhook.js';

export { withStore, type OpenStore } from './with-store.js';

export function makeWebhook(overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id: 'wh1', tenantId: 't1', name: 'hook', uri: 'https://receiver.example/hook', subscribedEvents: ['batch.succeeded', 'batch.cancelled'],
    state: 'enabled', signingSecrets: [{ secret: 'whsec_new', createTimeMs: 2_000, expireTimeMs: undefined }, { secret: 'whsec_old', createTimeMs: 1_000, expireTimeMs: 90_000 }],
    createTimeMs: 1_000, updateTimeMs: 1_000, ...overrides,
  };
}

export function makeDelivery(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id: 'msg_1', tenantId: 't1', eventType: 'batch.succeeded', webhookId: 'wh1', uri: 'https://receiver.example/hook',
    body: '{"type":"batch.succeeded"}', userMetadata: undefined, state: 'pending', attempts: 0, nextAttemptMs: 1_000,
    createTimeMs: 1_000, completeTimeMs: undefined, lastError: undefined, ...overrides,
  };
}


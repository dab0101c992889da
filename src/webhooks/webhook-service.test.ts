// The WebhookService on a real SQLite store: the secret is shown once, tenants are isolated,
// updates are validated field by field, both rotation behaviours, pings queue a delivery, and
// paging.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../core/errors.js';
import { randomId } from '../lib/ids.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { ensureSigningKey, rotateSigningKey } from './signing-keys.js';
import { standardSignatures } from './signing-secret.js';
import { manualClock } from './testing/fixture.js';
import { createWebhookService, type WebhookService } from './webhook-service.js';

const clock = manualClock();
let store: Store;
let service: WebhookService;
beforeEach(() => {
  store = openSqliteStore(':memory:');
  service = createWebhookService({ store, clock, randomId, destinationPolicy: 'any', retryWindowMs: 3_600_000 });
});
afterEach(() => store.close());

const input = { name: 'mine', uri: 'https://example.com/hook', subscribedEvents: ['batch.succeeded', 'batch.failed'] };

async function rejectsWith(promise: Promise<unknown>, status: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.status, status);
    assert.match(error.message, pattern);
    return true;
  });
}

test('create returns the secret once; get and list hold it only for signing', async () => {
  const { webhook, newSigningSecret } = await service.create('t1', input);
  assert.match(webhook.id, /^[a-z0-9]{16}$/);
  assert.match(newSigningSecret, /^whsec_/);
  assert.deepEqual([webhook.name, webhook.uri, webhook.subscribedEvents, webhook.state], ['mine', input.uri, input.subscribedEvents, 'enabled']);
  assert.deepEqual(webhook.signingSecrets, [{ secret: newSigningSecret, createTimeMs: clock.now(), expireTimeMs: undefined }]);
  assert.deepEqual(await service.get('t1', webhook.id), webhook);
  assert.deepEqual((await service.list('t1', 10, undefined)).webhooks, [webhook]);
  const created = await service.create('t1', { uri: input.uri, subscribedEvents: ['batch.succeeded', 'batch.succeeded'] });
  assert.deepEqual([created.webhook.name, created.webhook.subscribedEvents], ['', ['batch.succeeded']], 'no name, duplicates removed');
  assert.notEqual(created.newSigningSecret, newSigningSecret);
});

test("another tenant's webhook is not found, for every method", async () => {
  const { webhook } = await service.create('t1', input);
  for (const call of [
    () => service.get('t2', webhook.id), () => service.update('t2', webhook.id, { name: 'x' }), () => service.delete('t2', webhook.id),
    () => service.ping('t2', webhook.id), () => service.rotateSigningSecret('t2', webhook.id, 'revoke_previous_secrets_immediately'),
    () => service.get('t1', 'absent'),
  ]) await rejectsWith(call(), 'NOT_FOUND', /^Webhook webhooks\/\w+ not found/);
  assert.deepEqual((await service.list('t2', 10, undefined)).webhooks, []);
  assert.equal((await service.get('t1', webhook.id)).name, 'mine', 'untouched');
});

test('create and update refuse bad fields, naming them as the wire does', async () => {
  await rejectsWith(service.create('t1', { ...input, uri: 'ftp://example.com' }), 'INVALID_ARGUMENT', /^uri /);
  await rejectsWith(service.create('t1', { ...input, subscribedEvents: [] }), 'INVALID_ARGUMENT', /^subscribed_events /);
  await rejectsWith(service.create('t1', { ...input, subscribedEvents: ['batch.done'] }), 'INVALID_ARGUMENT', /^subscribed_events .*"batch.done"/);
  await rejectsWith(service.create('t1', { ...input, name: 'n'.repeat(513) }), 'INVALID_ARGUMENT', /^name /);
  const { webhook } = await service.create('t1', input);
  await rejectsWith(service.update('t1', webhook.id, { uri: '' }), 'INVALID_ARGUMENT', /^uri /);
  await rejectsWith(service.update('t1', webhook.id, { subscribedEvents: [] }), 'INVALID_ARGUMENT', /^subscribed_events /);
  await rejectsWith(service.update('t1', webhook.id, { state: 'disabled_due_to_failed_deliveries' }), 'INVALID_ARGUMENT', /^state /);
  await rejectsWith(service.update('t1', webhook.id, { state: '' }), 'INVALID_ARGUMENT', /^state /);
  await rejectsWith(service.update('t1', webhook.id, { name: 'n'.repeat(513) }), 'INVALID_ARGUMENT', /^name /);
  assert.deepEqual(await service.get('t1', webhook.id), webhook, 'nothing changed');
});

test('public destinations refuse an inward uri at create and update', async () => {
  const strict = createWebhookService({ store, clock, randomId, destinationPolicy: 'public', retryWindowMs: 1 });
  await rejectsWith(strict.create('t1', { ...input, uri: 'http://169.254.169.254/' }), 'INVALID_ARGUMENT', /^uri .*public/);
  const { webhook } = await strict.create('t1', input);
  await rejectsWith(strict.update('t1', webhook.id, { uri: 'http://localhost:8080/' }), 'INVALID_ARGUMENT', /^uri .*public/);
});

test('update changes the fields given and the update time; a webhook disabled for failures is enabled again', async () => {
  const { webhook } = await service.create('t1', input);
  clock.advance(1_000);
  const updated = await service.update('t1', webhook.id, { name: '', uri: 'http://example.org/x', subscribedEvents: ['batch.expired'], state: 'disabled' });
  assert.deepEqual(updated, {
    ...webhook, name: '', uri: 'http://example.org/x', subscribedEvents: ['batch.expired'], state: 'disabled', updateTimeMs: webhook.createTimeMs + 1_000,
  });
  assert.deepEqual(await service.get('t1', webhook.id), updated);
  await store.webhooks.update({ ...updated, state: 'disabled_due_to_failed_deliveries' });
  assert.equal((await service.update('t1', webhook.id, { state: 'enabled' })).state, 'enabled');
});

test('rotating with immediate revocation leaves only the new secret', async () => {
  const { webhook, newSigningSecret: old } = await service.create('t1', input);
  const secret = await service.rotateSigningSecret('t1', webhook.id, 'revoke_previous_secrets_immediately');
  assert.notEqual(secret, old);
  assert.deepEqual((await service.get('t1', webhook.id)).signingSecrets, [{ secret, createTimeMs: clock.now(), expireTimeMs: undefined }]);
});

test('rotating with a 24-hour grace keeps the previous secret until then', async () => {
  const { webhook, newSigningSecret: old } = await service.create('t1', input);
  clock.advance(5_000);
  const secret = await service.rotateSigningSecret('t1', webhook.id, 'revoke_previous_secrets_after_h24');
  const expireTimeMs = clock.now() + 24 * 3_600_000;
  assert.deepEqual((await service.get('t1', webhook.id)).signingSecrets, [
    { secret, createTimeMs: clock.now(), expireTimeMs: undefined },
    { secret: old, createTimeMs: webhook.createTimeMs, expireTimeMs },
  ]);
  // A second rotation keeps the first grace (not extended) and drops expired secrets.
  clock.advance(1_000);
  const third = await service.rotateSigningSecret('t1', webhook.id, 'revoke_previous_secrets_after_h24');
  assert.deepEqual((await service.get('t1', webhook.id)).signingSecrets.map((s) => [s.secret, s.expireTimeMs]), [
    [third, undefined], [secret, clock.now() + 24 * 3_600_000], [old, expireTimeMs],
  ]);
  clock.advance(24 * 3_600_000);
  const fourth = await service.rotateSigningSecret('t1', webhook.id, 'revoke_previous_secrets_after_h24');
  assert.deepEqual((await service.get('t1', webhook.id)).signingSecrets.map((s) => s.secret), [fourth, third]);
});

test('ping queues a webhook.ping delivery to the webhook, due now', async () => {
  const { webhook, newSigningSecret } = await service.create('t1', input);
  await service.ping('t1', webhook.id);
  const [claimed] = await store.deliveries.claim('me', clock.now(), clock.now() + 1_000, 10);
  assert.ok(claimed);
  assert.match(claimed.id, /^msg_[a-z0-9]{24}$/);
  assert.deepEqual([claimed.tenantId, claimed.eventType, claimed.webhookId, claimed.uri, claimed.attempts, claimed.nextAttemptMs], [
    't1', 'webhook.ping', webhook.id, input.uri, 0, clock.now(),
  ]);
  assert.deepEqual(JSON.parse(claimed.body), { type: 'webhook.ping', version: 'v1', timestamp: new Date(clock.now()).toISOString(), data: { webhook_id: webhook.id } });
  // The body is what gets signed: a receiver verifies it with the secret it was given.
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = { 'webhook-id': claimed.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignatures([newSigningSecret], claimed.id, timestamp, claimed.body) };
  assert.ok(new Webhook(newSigningSecret).verify(claimed.body, headers));

  await service.update('t1', webhook.id, { state: 'disabled' });
  await rejectsWith(service.ping('t1', webhook.id), 'FAILED_PRECONDITION', /disabled/);
});

test('delete removes the webhook', async () => {
  const { webhook } = await service.create('t1', input);
  await service.delete('t1', webhook.id);
  await rejectsWith(service.get('t1', webhook.id), 'NOT_FOUND', /not found/);
  await rejectsWith(service.delete('t1', webhook.id), 'NOT_FOUND', /not found/);
});

test('list pages newest first with a cursor', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.unshift((await service.create('t1', input)).webhook.id);
    clock.advance(1);
  }
  const first = await service.list('t1', 2, undefined);
  assert.deepEqual(first.webhooks.map((w) => w.id), ids.slice(0, 2));
  const second = await service.list('t1', 2, first.next);
  const third = await service.list('t1', 2, second.next);
  assert.deepEqual([...second.webhooks, ...third.webhooks].map((w) => w.id), ids.slice(2));
  assert.equal(third.next, undefined);
});

test('jwks publishes the signing keys, newest first', async () => {
  assert.deepEqual(await service.jwks(), { keys: [] });
  const first = await ensureSigningKey(store, clock);
  const second = await rotateSigningKey(store, clock);
  assert.deepEqual(await service.jwks(), { keys: [second.publicJwk, first.publicJwk] });
});

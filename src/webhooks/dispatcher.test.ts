// The dispatcher against a real receiver and a real SQLite store, rounds driven by hand with a
// manual clock: fan-out to the subscribed webhooks only, dynamic URIs instead of them (JWT,
// user metadata), a retry with the same webhook-id, giving up (the webhook is disabled), and
// deliveries of a deleted or disabled webhook. Then the loop itself: woken, surviving a store
// outage, and stopping while a receiver hangs.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Webhook } from 'standardwebhooks';
import type { DeliveryRecord } from '../core/webhook.js';
import { abortableSleep } from '../lib/abort.js';
import { randomId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { pollUntil } from '../../test/support/poll.js';
import { createWebhookDispatcher, type DispatcherSettings, type WebhookDispatcher } from './dispatcher.js';
import { jwks } from './signing-keys.js';
import { finishBatch, manualClock, type ManualClock } from './testing/fixture.js';
import { startReceiver, type Receiver } from './testing/receiver.js';
import { createWebhookService, type WebhookService } from './webhook-service.js';

interface LogEntry { level: string; message: string; fields: Record<string, unknown> }
function capturingLogger(entries: LogEntry[]): Logger {
  const log = (level: string) => (message: string, fields: Record<string, unknown> = {}): void => void entries.push({ level, message, fields });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

let store: Store;
let clock: ManualClock;
let receiver: Receiver;
let service: WebhookService;
let logs: LogEntry[];
const dispatchers: WebhookDispatcher[] = [];

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  // Real time (the reference verifier checks the timestamp), moved by hand.
  clock = manualClock(Date.now());
  receiver = await startReceiver();
  service = createWebhookService({ store, clock, randomId, destinationPolicy: 'any', retryWindowMs: 10_000 });
  logs = [];
});
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop()));
  await receiver.close();
  await store.close();
});

function dispatcher(settings: Partial<DispatcherSettings> = {}, on: Store = store): WebhookDispatcher {
  const created = createWebhookDispatcher({
    store: on, clock, logger: capturingLogger(logs), owner: 'test-process', sleep: abortableSleep, random: () => 0,
    settings: { pollMs: 50, timeoutMs: 2_000, retryWindowMs: 10_000, destinationPolicy: 'any', ...settings },
  });
  dispatchers.push(created);
  return created;
}

const hook = (path: string, subscribedEvents = ['batch.succeeded']) => service.create('t1', { uri: `${receiver.origin}${path}`, subscribedEvents });
const deliveryOf = async (webhookId: string | string[] | undefined): Promise<DeliveryRecord | undefined> => store.deliveries.get(String(webhookId));

test('an event goes to the enabled webhooks of its tenant subscribed to its type, signed with their secrets', async () => {
  const subscribed = await hook('/a');
  await hook('/b', ['batch.failed']);
  const disabled = await hook('/c');
  await service.update('t1', disabled.webhook.id, { state: 'disabled' });
  await service.create('t2', { uri: `${receiver.origin}/d`, subscribedEvents: ['batch.succeeded'] });
  await finishBatch(store, clock, 'b1', 't1');

  await dispatcher().runOnce();
  assert.deepEqual(receiver.requests.map((request) => request.path), ['/a']);
  const [request] = receiver.requests;
  assert.deepEqual(JSON.parse(request!.body), { type: 'batch.succeeded', version: 'v1', timestamp: new Date(clock.now()).toISOString(), data: { id: 'batches/b1' } });
  assert.ok(new Webhook(subscribed.newSigningSecret).verify(request!.body, request!.headers as Record<string, string>));
  assert.equal((await deliveryOf(request!.headers['webhook-id']))?.state, 'delivered');
  assert.deepEqual(await store.webhookEvents.listPending(10), [], 'the event left the outbox');
  const logged = logs.find((entry) => entry.message === 'webhook delivery');
  assert.equal(logged?.level, 'info');
  assert.equal(typeof logged?.fields.durationMs, 'number');
  assert.deepEqual({ ...logged?.fields, durationMs: 0 }, {
    event: 'webhook.delivery', delivery: request!.headers['webhook-id'], eventType: 'batch.succeeded', tenant: 't1', webhook: subscribed.webhook.id, attempt: 1, status: 204,
    durationMs: 0, outcome: 'delivered', error: undefined,
  });
});

test("a batch's own uris replace the static webhooks: JWT-signed for each uri, with its user metadata", async () => {
  await hook('/static');
  const uris = [`${receiver.origin}/d1`, `${receiver.origin}/d2`];
  await finishBatch(store, clock, 'b2', 't1', { uris, userMetadata: { job: 7 } });

  await dispatcher().runOnce();
  assert.deepEqual(receiver.requests.map((request) => request.path).sort(), ['/d1', '/d2']);
  const keySet = createLocalJWKSet(await jwks(store));
  for (const request of receiver.requests) {
    const uri = `${receiver.origin}${request.path}`;
    assert.deepEqual((JSON.parse(request.body) as { user_metadata: unknown }).user_metadata, { job: 7 });
    const { payload } = await jwtVerify(String(request.headers['webhook-signature']), keySet, { issuer: 'batchmode', audience: uri });
    assert.deepEqual([payload.jti, payload.type, payload.data, payload.user_metadata], [request.headers['webhook-id'], 'batch.succeeded', { id: 'batches/b2' }, { job: 7 }]);
    assert.equal((await deliveryOf(request.headers['webhook-id']))?.state, 'delivered');
  }
  const [entry] = logs.filter((log) => log.message === 'webhook delivery');
  assert.ok(String(entry?.fields.uri).startsWith(receiver.origin));
});

test('a failed attempt is retried after its back-off with the same webhook-id, then delivered', async () => {
  await hook('/a');
  await finishBatch(store, clock, 'b3', 't1');
  receiver.answer((_request, response) => response.writeHead(503).end('busy'));
  const dispatch = dispatcher();

  await dispatch.runOnce();
  const id = String(receiver.requests[0]?.headers['webhook-id']);
  const pending = await store.deliveries.get(id);
  assert.deepEqual([pending?.state, pending?.attempts, pending?.lastError, pending?.nextAttemptMs], ['pending', 1, 'HTTP 503: busy', clock.now() + 500]);
  await dispatch.runOnce();
  assert.equal(receiver.requests.length, 1, 'not before it is due');

  receiver.answer((_request, response) => response.writeHead(200).end());
  clock.advance(500);
  await dispatch.runOnce();
  assert.deepEqual(receiver.requests.map((request) => request.headers['webhook-id']), [id, id]);
  const delivered = await store.deliveries.get(id);
  assert.deepEqual([delivered?.state, delivered?.attempts], ['delivered', 2]);
});

test('past the retry window the delivery fails and its webhook is disabled for failed deliveries', async () => {
  const { webhook } = await hook('/a');
  await finishBatch(store, clock, 'b4', 't1');
  receiver.answer((_request, response) => response.writeHead(500).end());
  const dispatch = dispatcher();

  // Back-off with no jitter: 0.5 s, 1 s, 2 s, 4 s; the next (8 s) would end past the 10 s window.
  await dispatch.runOnce();
  const id = String(receiver.requests[0]?.headers['webhook-id']);
  for (let attempt = 2; attempt <= 5; attempt++) {
    clock.advance((await store.deliveries.get(id))!.nextAttemptMs - clock.now());
    await dispatch.runOnce();
  }
  const failed = await store.deliveries.get(id);
  assert.deepEqual([failed?.state, failed?.attempts, receiver.requests.length], ['failed', 5, 5]);
  assert.equal((await service.get('t1', webhook.id)).state, 'disabled_due_to_failed_deliveries');
  assert.deepEqual(logs.filter((entry) => entry.message === 'webhook delivery').map((entry) => entry.fields.outcome), ['retry', 'retry', 'retry', 'retry', 'failed']);

  await finishBatch(store, clock, 'b5', 't1');
  await dispatch.runOnce();
  assert.equal(receiver.requests.length, 5, 'nothing more goes to it');
});

test("a deleted webhook's pending delivery is gone, a disabled one's is dropped, and neither is sent", async () => {
  const deleted = await hook('/deleted');
  const disabled = await hook('/disabled');
  await finishBatch(store, clock, 'b6', 't1');
  receiver.answer((_request, response) => response.writeHead(500).end());
  const dispatch = dispatcher();
  await dispatch.runOnce();
  const idOf = (path: string): string => String(receiver.requests.find((request) => request.path === path)?.headers['webhook-id']);
  const [deletedId, disabledId] = [idOf('/deleted'), idOf('/disabled')];

  await service.delete('t1', deleted.webhook.id);
  await service.update('t1', disabled.webhook.id, { state: 'disabled' });
  clock.advance(60_000);
  await dispatch.runOnce();
  assert.equal(receiver.requests.length, 2, 'no second attempt to either');
  assert.equal(await store.deliveries.get(deletedId), undefined);
  const dropped = await store.deliveries.get(disabledId);
  assert.deepEqual([dropped?.state, dropped?.lastError], ['dropped', 'the webhook is disabled']);
});

test('a ping goes out on wake, without waiting for the poll', async () => {
  const { webhook, newSigningSecret } = await hook('/a');
  const dispatch = dispatcher({ pollMs: 60_000 });
  dispatch.start();
  await service.ping('t1', webhook.id);
  dispatch.wake();
  const request = await receiver.next();
  assert.equal((JSON.parse(request.body) as { type: unknown }).type, 'webhook.ping');
  assert.ok(new Webhook(newSigningSecret).verify(request.body, request.headers as Record<string, string>));
  await pollUntil(() => store.deliveries.get(String(request.headers['webhook-id'])), (delivery) => delivery?.state === 'delivered', 5_000);
});

test('a failing round is logged and the loop carries on', async () => {
  await hook('/a');
  let failures = 2;
  const flaky: Store = {
    ...store,
    webhookEvents: {
      ...store.webhookEvents,
      listPending: async (limit) => {
        if (failures > 0) {
          failures--;
          throw new Error('database is away');
        }
        return store.webhookEvents.listPending(limit);
      },
    },
  };
  await finishBatch(store, clock, 'b7', 't1');
  dispatcher({ pollMs: 20 }, flaky).start();
  await receiver.next();
  assert.equal(logs.filter((entry) => entry.level === 'error' && entry.message === 'webhook dispatch round failed; retrying').length, 2);
});

test('stop waits for a send in flight, which the timeout ends and records for a retry', async () => {
  await hook('/a');
  receiver.answer(() => undefined);
  await finishBatch(store, clock, 'b8', 't1');
  const dispatch = dispatcher({ timeoutMs: 300 });
  dispatch.start();
  const request = await receiver.next();
  await dispatch.stop();
  const delivery = await store.deliveries.get(String(request.headers['webhook-id']));
  assert.deepEqual([delivery?.state, delivery?.attempts], ['pending', 1]);
  assert.match(delivery?.lastError ?? '', /no answer within 300 ms|timeout/i);
});

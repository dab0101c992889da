// What one attempt sends: the envelope's shape, Standard Webhooks headers over every live secret
// of a static webhook (verified by the reference library), and a JWT for a dynamic delivery
// (verified by jose against the key's JWKS, with the receiver's URI as audience).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Webhook } from 'standardwebhooks';
import type { DeliveryRecord, WebhookRecord } from '../core/webhook.js';
import { deliveryRequest, eventBody, pingBody } from './delivery-request.js';
import { newSigningKey } from './signing-keys.js';
import { generateSigningSecret } from './signing-secret.js';

const event = {
  id: 'batch-b1', tenantId: 't', type: 'batch.succeeded', data: { id: 'batches/b1', output_file_uri: 'files/batch-b1' },
  userMetadata: { job: 42 }, uris: undefined, createTimeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
};

const delivery = (fields: Partial<DeliveryRecord>): DeliveryRecord => ({
  id: 'msg_abc', tenantId: 't', eventType: 'batch.succeeded', webhookId: undefined, uri: 'https://example.com/hook',
  body: eventBody(event), userMetadata: undefined, state: 'pending', attempts: 0, nextAttemptMs: 0, createTimeMs: 0,
  completeTimeMs: undefined, lastError: undefined, ...fields,
});

test('the envelope: type, version, RFC 3339 timestamp, data, and user_metadata only when set', () => {
  assert.equal(eventBody(event), JSON.stringify({
    type: 'batch.succeeded', version: 'v1', timestamp: '2026-01-02T03:04:05.006Z',
    data: { id: 'batches/b1', output_file_uri: 'files/batch-b1' }, user_metadata: { job: 42 },
  }));
  assert.equal('user_metadata' in JSON.parse(eventBody({ ...event, userMetadata: undefined })), false);
  assert.deepEqual(JSON.parse(pingBody(0)), { type: 'webhook.ping', version: 'v1', timestamp: '1970-01-01T00:00:00.000Z', data: {} });
  assert.deepEqual((JSON.parse(pingBody(0, 'w1')) as { data: unknown }).data, { webhook_id: 'w1' });
});

test('a static delivery is signed with every unexpired secret of its webhook', () => {
  const nowMs = Date.now();
  const [current, previous, expired] = [generateSigningSecret(), generateSigningSecret(), generateSigningSecret()];
  const webhook: WebhookRecord = {
    id: 'w1', tenantId: 't', name: '', uri: 'https://example.com/hook', subscribedEvents: ['batch.succeeded'], state: 'enabled',
    signingSecrets: [
      { secret: current, createTimeMs: nowMs, expireTimeMs: undefined },
      { secret: previous, createTimeMs: nowMs - 1, expireTimeMs: nowMs + 1_000 },
      { secret: expired, createTimeMs: nowMs - 2, expireTimeMs: nowMs },
    ],
    createTimeMs: 0, updateTimeMs: 0,
  };
  const request = deliveryRequest(delivery({ webhookId: 'w1' }), { webhook }, nowMs);
  assert.equal(request.uri, 'https://example.com/hook');
  assert.equal(request.body, eventBody(event));
  assert.deepEqual([request.headers['webhook-id'], request.headers['webhook-timestamp']], ['msg_abc', String(Math.floor(nowMs / 1000))]);
  assert.equal(request.headers['webhook-signature']?.split(' ').length, 2);
  for (const secret of [current, previous]) assert.ok(new Webhook(secret).verify(request.body, request.headers));
  assert.throws(() => new Webhook(expired).verify(request.body, request.headers), 'an expired secret no longer signs');
});

test('a dynamic delivery carries a JWT for its URI with the event, signed by the newest key', async () => {
  const key = await newSigningKey(0);
  const nowMs = Date.now();
  const request = deliveryRequest(delivery({}), { key }, nowMs);
  assert.deepEqual([request.headers['webhook-id'], request.headers['webhook-timestamp']], ['msg_abc', String(Math.floor(nowMs / 1000))]);
  const { payload } = await jwtVerify(request.headers['webhook-signature']!, createLocalJWKSet({ keys: [key.publicJwk] }), {
    issuer: 'batchmode', audience: 'https://example.com/hook',
  });
  const iat = Math.floor(nowMs / 1000);
  assert.deepEqual(payload, {
    iss: 'batchmode', aud: 'https://example.com/hook', iat, exp: iat + 300, jti: 'msg_abc', type: 'batch.succeeded',
    data: { id: 'batches/b1', output_file_uri: 'files/batch-b1' }, user_metadata: { job: 42 },
  });
});

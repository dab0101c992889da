// Static signatures are Standard Webhooks signatures: the reference library verifies them,
// under either secret while two are live, and the truncated form gives away almost nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, standardSignatures, truncateSecret } from './signing-secret.js';

const body = JSON.stringify({ type: 'batch.succeeded', version: 'v1', data: { id: 'batches/abc' } });
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const headers = (signature: string, timestamp: number): Record<string, string> => ({
  'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature,
});

test('a secret is whsec_ and the base64 of 32 random bytes', () => {
  const secret = generateSigningSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
  assert.notEqual(generateSigningSecret(), secret);
});

test('the reference library verifies a signature', () => {
  const secret = generateSigningSecret();
  const timestamp = nowSeconds();
  const signature = standardSignatures([secret], 'msg_1', timestamp, body);
  assert.match(signature, /^v1,[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(new Webhook(secret).verify(body, headers(signature, timestamp)), JSON.parse(body));
  assert.throws(() => new Webhook(generateSigningSecret()).verify(body, headers(signature, timestamp)), 'another secret fails');
  assert.throws(() => new Webhook(secret).verify(`${body} `, headers(signature, timestamp)), 'another body fails');
});

test('two secrets give two signatures and either secret verifies the header', () => {
  const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
  const timestamp = nowSeconds();
  const signature = standardSignatures([current, previous], 'msg_1', timestamp, body);
  assert.equal(signature.split(' ').length, 2);
  for (const secret of [current, previous]) assert.ok(new Webhook(secret).verify(body, headers(signature, timestamp)));
  assert.throws(() => new Webhook(generateSigningSecret()).verify(body, headers(signature, timestamp)));
});

test('the truncated secret shows the prefix and at most four characters of the key', () => {
  const secret = generateSigningSecret();
  const truncated = truncateSecret(secret);
  assert.equal(truncated, `whsec_${secret.slice(6, 10)}…`);
  assert.ok(truncated.length <= 11);
});

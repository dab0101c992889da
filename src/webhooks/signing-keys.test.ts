// The RS256 keys in the store: created once, rotated keeping the previous one published (a
// receiver with a cached JWKS still verifies a token of the old key), never more than two.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { signJwt } from './jwt.js';
import { ensureSigningKey, jwks, rotateSigningKey } from './signing-keys.js';
import { manualClock } from './testing/fixture.js';

let store: Store;
const clock = manualClock();
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

test('ensureSigningKey creates a key once and then returns the newest', async () => {
  assert.deepEqual(await jwks(store), { keys: [] });
  const key = await ensureSigningKey(store, clock);
  assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.deepEqual([key.publicJwk.kid, key.publicJwk.alg, key.publicJwk.use, key.publicJwk.kty], [key.kid, 'RS256', 'sig', 'RSA']);
  assert.equal((await ensureSigningKey(store, clock)).kid, key.kid);
  assert.deepEqual(await jwks(store), { keys: [key.publicJwk] });
});

test('rotation signs with the new key, keeps the previous published, and drops older ones', async () => {
  const first = await ensureSigningKey(store, clock);
  const second = await rotateSigningKey(store, clock);
  assert.equal((await ensureSigningKey(store, clock)).kid, second.kid, 'the newest signs');
  assert.deepEqual((await jwks(store)).keys.map((jwk) => jwk.kid), [second.kid, first.kid]);

  const oldToken = signJwt(first, { aud: 'https://r.example/hook', iat: Math.floor(Date.now() / 1000) });
  await jwtVerify(oldToken, createLocalJWKSet(await jwks(store)), { audience: 'https://r.example/hook' });

  // Same millisecond: still strictly newer.
  const third = await rotateSigningKey(store, clock);
  assert.deepEqual((await jwks(store)).keys.map((jwk) => jwk.kid), [third.kid, second.kid]);
  await assert.rejects(jwtVerify(oldToken, createLocalJWKSet(await jwks(store)), { audience: 'https://r.example/hook' }), /no applicable key/i);
});

// A JWT signed with node:crypto is one a standard JOSE library accepts: jose verifies it
// against a JWKS built from the key's public JWK, and rejects it for another audience or key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { signJwt } from './jwt.js';
import { newSigningKey } from './signing-keys.js';

test('jose verifies the JWT with the public JWK, and checks the audience', async () => {
  const key = await newSigningKey(Date.now());
  const iat = Math.floor(Date.now() / 1000);
  const token = signJwt(key, { iss: 'batchmode', aud: 'https://example.com/hook', iat, exp: iat + 300, jti: 'msg_1', data: { id: 'batches/b' } });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', typ: 'JWT', kid: key.kid });
  assert.deepEqual([key.publicJwk.alg, key.publicJwk.use, key.publicJwk.kty, key.publicJwk.kid], ['RS256', 'sig', 'RSA', key.kid]);
  assert.equal(key.publicJwk.d, undefined, 'no private part in the public JWK');

  const keySet = createLocalJWKSet({ keys: [key.publicJwk] });
  const { payload } = await jwtVerify(token, keySet, { issuer: 'batchmode', audience: 'https://example.com/hook' });
  assert.deepEqual([payload.jti, payload.data], ['msg_1', { id: 'batches/b' }]);
  await assert.rejects(jwtVerify(token, keySet, { audience: 'https://elsewhere.example/hook' }), /aud/);
});

test('a JWT signed by another key does not verify', async () => {
  const [signer, published] = [await newSigningKey(1), await newSigningKey(2)];
  const token = signJwt({ ...signer, kid: published.kid }, { aud: 'a' });
  await assert.rejects(jwtVerify(token, createLocalJWKSet({ keys: [published.publicJwk] }), { audience: 'a' }), /signature/);
});

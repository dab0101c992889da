/**
 * The RS256 key pairs that sign dynamic deliveries, kept in the store so that every process of
 * a deployment signs with the same key and publishes the same JWKS. Rotating keeps the previous
 * key published beside the new one, so a receiver holding a cached JWKS keeps verifying until
 * it refreshes.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningKey } from '../core/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/** Keys published at once: the newest, which signs, and the one before it. */
const KEPT_KEYS = 2;

/** A fresh 2048-bit RSA key with a random `kid`, created at `createTimeMs` (not stored). */
export async function newSigningKey(createTimeMs: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const kid = randomBytes(12).toString('base64url');
  return {
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    createTimeMs,
  };
}

/**
 * The newest signing key, creating one when there is none. Two processes starting together may
 * both create one; both are published and the newer signs, which is harmless.
 */
export async function ensureSigningKey(store: Store, clock: Clock): Promise<SigningKey> {
  const [newest] = await store.signingKeys.list();
  if (newest) return newest;
  const key = await newSigningKey(clock.now());
  await store.signingKeys.insert(key);
  return key;
}

/** Makes a new key the newest (it signs from now on) and removes all but the two newest. */
export async function rotateSigningKey(store: Store, clock: Clock): Promise<SigningKey> {
  const [newest] = await store.signingKeys.list();
  // Strictly newer than the current newest, so the order holds even within one millisecond.
  const key = await newSigningKey(Math.max(clock.now(), (newest?.createTimeMs ?? 0) + 1));
  await store.signingKeys.insert(key);
  for (const old of (await store.signingKeys.list()).slice(KEPT_KEYS)) await store.signingKeys.delete(old.kid);
  return key;
}

/** The JWKS document served at /.well-known/jwks.json: the public keys, newest first. */
export async function jwks(store: Store): Promise<{ keys: Record<string, unknown>[] }> {
  return { keys: (await store.signingKeys.list()).map((key) => key.publicJwk) };
}

/**
 * A static webhook's signing secret and the signatures made with it. Static webhooks follow the
 * Standard Webhooks specification, so any of its libraries verifies a delivery: the secret is
 * `whsec_` + base64 of random key bytes, and each `webhook-signature` entry is
 * `v1,<base64 HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}">`. During a rotation
 * with a grace period a delivery carries one entry per live secret, so a receiver that still
 * holds the previous secret keeps verifying.
 */
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/**
 * What the API shows of a secret after create (`truncated_secret`): the prefix and the first
 * four base64 characters, enough to tell secrets apart and far too little to sign with.
 */
export function truncateSecret(secret: string): string {
  const key = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  return `${PREFIX}${key.slice(0, 4)}…`;
}

/** The HMAC key a secret stands for: the base64-decoded part after `whsec_`. */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/** The `webhook-signature` header: one `v1,<signature>` per secret, space-separated. */
export function standardSignatures(secrets: readonly string[], msgId: string, timestampSeconds: number, body: string): string {
  const message = `${msgId}.${timestampSeconds}.${body}`;
  return secrets.map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(message).digest('base64')}`).join(' ');
}

/**
 * Signing a JWT (compact JWS, RS256) with node:crypto alone: dynamic deliveries carry one as
 * their `webhook-signature`, and receivers verify it against the published JWKS. Only signing
 * is needed here, so no JOSE library is pulled in at runtime.
 */
import { createSign } from 'node:crypto';
import type { SigningKey } from '../core/webhook.js';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** `header.payload.signature` with header `{alg: RS256, typ: JWT, kid}`, signed by `key`'s private half. */
export function signJwt(key: Pick<SigningKey, 'kid' | 'privateKeyPem'>, claims: Record<string, unknown>): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKeyPem);
  return `${signingInput}.${base64url(signature)}`;
}

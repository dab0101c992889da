/**
 * What is sent for a delivery: the event envelope (fixed when the delivery is created, so every
 * attempt sends the same bytes) and the headers of one attempt. A static webhook's delivery is
 * signed the Standard Webhooks way with each of its live secrets; a dynamic one (a batch's own
 * `webhookConfig.uris`) carries an RS256 JWT whose audience is the receiver's URI, verified
 * against the published JWKS. `webhook-id` is the delivery's id on every attempt, so receivers
 * can drop repeats.
 */
import { PING_EVENT_TYPE, type DeliveryRecord, type SigningKey, type WebhookEvent, type WebhookRecord } from '../core/webhook.js';
import { toTimestamp } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import { signJwt } from './jwt.js';
import { standardSignatures } from './signing-secret.js';

/** The envelope's `version`. */
export const ENVELOPE_VERSION = 'v1';
/** A dynamic delivery's JWT is valid this long after it is signed (each attempt signs anew). */
export const JWT_LIFETIME_SECONDS = 300;
/** The JWT's `iss`. */
export const JWT_ISSUER = 'batchmode';

/** A new delivery's id (`msg_` + 24 random characters): the `webhook-id` header of each of its attempts. */
export const newDeliveryId = (randomId: IdGenerator): string => `msg_${randomId(24)}`;

export interface OutgoingRequest {
  uri: string;
  headers: Record<string, string>;
  body: string;
}

function envelope(type: string, timeMs: number, data: Record<string, unknown>, userMetadata: unknown): string {
  return JSON.stringify({
    type,
    version: ENVELOPE_VERSION,
    timestamp: toTimestamp(timeMs),
    data,
    ...(userMetadata !== undefined ? { user_metadata: userMetadata } : {}),
  });
}

/** The body of an event's deliveries: `{type, version, timestamp, data, user_metadata?}`. */
export function eventBody(event: WebhookEvent): string {
  return envelope(event.type, event.createTimeMs, event.data, event.userMetadata);
}

/** The body of a `:ping`: type `webhook.ping`, `data` naming the webhook when given. */
export function pingBody(nowMs: number, webhookId?: string): string {
  return envelope(PING_EVENT_TYPE, nowMs, webhookId === undefined ? {} : { webhook_id: webhookId }, undefined);
}

/** How an attempt is signed: a static webhook's secrets, or the newest signing key (dynamic). */
export type DeliverySigner = { webhook: WebhookRecord } | { key: SigningKey };

/** The request of one attempt of `delivery`, at `nowMs`. */
export function deliveryRequest(delivery: DeliveryRecord, signer: DeliverySigner, nowMs: number): OutgoingRequest {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = 'webhook' in signer
    ? standardSignatures(liveSecrets(signer.webhook, nowMs), delivery.id, timestamp, delivery.body)
    : signJwt(signer.key, jwtClaims(delivery, timestamp));
  return {
    uri: delivery.uri,
    headers: { 'webhook-id': delivery.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
    body: delivery.body,
  };
}

/** A webhook's secrets that still sign at `nowMs` (newest first). */
export function liveSecrets(webhook: WebhookRecord, nowMs: number): string[] {
  return webhook.signingSecrets.filter((secret) => secret.expireTimeMs === undefined || secret.expireTimeMs > nowMs).map((secret) => secret.secret);
}

function jwtClaims(delivery: DeliveryRecord, iat: number): Record<string, unknown> {
  const { data, user_metadata: userMetadata } = parseBody(delivery.body);
  return {
    iss: JWT_ISSUER,
    aud: delivery.uri,
    iat,
    exp: iat + JWT_LIFETIME_SECONDS,
    jti: delivery.id,
    type: delivery.eventType,
    data: data ?? {},
    ...(userMetadata !== undefined ? { user_metadata: userMetadata } : {}),
  };
}

function parseBody(body: string): { data?: unknown; user_metadata?: unknown } {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

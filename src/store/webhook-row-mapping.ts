/**
 * Rows of the webhook tables (the same columns in SQLite and PostgreSQL) and their mapping to
 * the records of core/webhook.ts, kept apart from row-mapping.ts. JSON columns are TEXT; an
 * undefined value is SQL NULL, so that `null` itself survives as the JSON text 'null'.
 */
import type {
  DeliveryOutcome, DeliveryRecord, DeliveryState, SigningKey, SigningSecret, WebhookEvent, WebhookRecord, WebhookState,
} from '../core/webhook.js';

const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const fromJson = (text: string | null): unknown => (text === null ? undefined : (JSON.parse(text) as unknown));

export interface WebhookRow {
  id: string;
  tenant_id: string;
  name: string;
  uri: string;
  subscribed_events: string;
  state: string;
  signing_secrets: string;
  create_time_ms: number;
  update_time_ms: number;
}

/** `expireTimeMs` is stored as null when undefined (JSON has no undefined). */
interface StoredSecret {
  secret: string;
  createTimeMs: number;
  expireTimeMs: number | null;
}

export function webhookFromRow(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    uri: row.uri,
    subscribedEvents: JSON.parse(row.subscribed_events) as string[],
    state: row.state as WebhookState,
    signingSecrets: (JSON.parse(row.signing_secrets) as StoredSecret[]).map(
      (stored): SigningSecret => ({ secret: stored.secret, createTimeMs: stored.createTimeMs, expireTimeMs: stored.expireTimeMs ?? undefined }),
    ),
    createTimeMs: row.create_time_ms,
    updateTimeMs: row.update_time_ms,
  };
}

function secretsJson(secrets: readonly SigningSecret[]): string {
  return JSON.stringify(secrets.map((secret): StoredSecret => ({ ...secret, expireTimeMs: secret.expireTimeMs ?? null })));
}

/** Insert order: id, tenant_id, name, uri, subscribed_events, state, signing_secrets, create_time_ms, update_time_ms. */
export function webhookParams(webhook: WebhookRecord): unknown[] {
  return [
    webhook.id, webhook.tenantId, webhook.name, webhook.uri, JSON.stringify(webhook.subscribedEvents), webhook.state,
    secretsJson(webhook.signingSecrets), webhook.createTimeMs, webhook.updateTimeMs,
  ];
}

/** Update order: name, uri, subscribed_events, state, signing_secrets, update_time_ms, then tenant_id and id. */
export function webhookUpdateParams(webhook: WebhookRecord): unknown[] {
  return [
    webhook.name, webhook.uri, JSON.stringify(webhook.subscribedEvents), webhook.state, secretsJson(webhook.signingSecrets),
    webhook.updateTimeMs, webhook.tenantId, webhook.id,
  ];
}

export interface WebhookEventRow {
  id: string;
  tenant_id: string;
  type: string;
  data: string;
  user_metadata: string | null;
  uris: string | null;
  create_time_ms: number;
}

export function webhookEventFromRow(row: WebhookEventRow): WebhookEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    userMetadata: fromJson(row.user_metadata),
    uris: row.uris === null ? undefined : (JSON.parse(row.uris) as string[]),
    createTimeMs: row.create_time_ms,
  };
}

/** Insert order: id, tenant_id, type, data, user_metadata, uris, create_time_ms. */
export function webhookEventParams(event: WebhookEvent): unknown[] {
  return [event.id, event.tenantId, event.type, JSON.stringify(event.data), toJson(event.userMetadata), toJson(event.uris), event.createTimeMs];
}

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  event_type: string;
  webhook_id: string | null;
  uri: string;
  body: string;
  user_metadata: string | null;
  state: string;
  attempts: number;
  next_attempt_ms: number;
  lease_owner: string | null;
  lease_until_ms: number | null;
  create_time_ms: number;
  complete_time_ms: number | null;
  last_error: string | null;
}

export function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    eventType: row.event_type,
    webhookId: row.webhook_id ?? undefined,
    uri: row.uri,
    body: row.body,
    userMetadata: fromJson(row.user_metadata),
    state: row.state as DeliveryState,
    attempts: row.attempts,
    nextAttemptMs: row.next_attempt_ms,
    createTimeMs: row.create_time_ms,
    completeTimeMs: row.complete_time_ms ?? undefined,
    lastError: row.last_error ?? undefined,
  };
}

/** Claim order, earliest due first, for rows that came back from an UPDATE … RETURNING (no order promised). */
export function byDueTime(a: DeliveryRow, b: DeliveryRow): number {
  if (a.next_attempt_ms !== b.next_attempt_ms) return a.next_attempt_ms - b.next_attempt_ms;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The delivery columns in insert order, the same in both dialects (no lease on insert). */
export const DELIVERY_COLUMNS = `id, tenant_id, event_type, webhook_id, uri, body, user_metadata, state, attempts,
  next_attempt_ms, create_time_ms, complete_time_ms, last_error`;

export function deliveryParams(delivery: DeliveryRecord): unknown[] {
  return [
    delivery.id, delivery.tenantId, delivery.eventType, delivery.webhookId ?? null, delivery.uri, delivery.body,
    toJson(delivery.userMetadata), delivery.state, delivery.attempts, delivery.nextAttemptMs, delivery.createTimeMs,
    delivery.completeTimeMs ?? null, delivery.lastError ?? null,
  ];
}

/** The columns an attempt sets besides the attempt count and the freed lease. */
export interface AttemptValues {
  state: DeliveryState;
  /** null keeps the delivery's next attempt time (a final outcome). */
  nextAttemptMs: number | null;
  completeTimeMs: number | null;
  lastError: string | null;
}

export function attemptValues(outcome: DeliveryOutcome): AttemptValues {
  switch (outcome.kind) {
    case 'delivered':
      return { state: 'delivered', nextAttemptMs: null, completeTimeMs: outcome.nowMs, lastError: null };
    case 'retry':
      return { state: 'pending', nextAttemptMs: outcome.nextAttemptMs, completeTimeMs: null, lastError: outcome.error };
    case 'failed':
    case 'dropped':
      return { state: outcome.kind, nextAttemptMs: null, completeTimeMs: outcome.nowMs, lastError: outcome.error };
  }
}

export interface SigningKeyRow {
  kid: string;
  private_key_pem: string;
  public_jwk: string;
  create_time_ms: number;
}

export function signingKeyFromRow(row: SigningKeyRow): SigningKey {
  return {
    kid: row.kid,
    privateKeyPem: row.private_key_pem,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    createTimeMs: row.create_time_ms,
  };
}

export function signingKeyParams(key: SigningKey): unknown[] {
  return [key.kid, key.privateKeyPem, JSON.stringify(key.publicJwk), key.createTimeMs];
}

/** What a failed delivery turns its (enabled) static webhook into. */
export const DISABLED_BY_FAILURES: WebhookState = 'disabled_due_to_failed_deliveries';

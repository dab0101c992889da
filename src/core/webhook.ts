/**
 * Webhooks: the records behind Google's WebhookService (static webhooks, per tenant), the
 * events a batch emits when it ends, and the deliveries that carry them to receivers.
 *
 * The path of one notification: `recordResults` queues the batch's terminal event
 * (`batchTerminalEvent`) in the same transaction that makes the batch terminal (the outbox);
 * a dispatcher fans the event out to its targets (the batch's `webhookConfig.uris`, or else
 * the tenant's enabled webhooks subscribed to the event type), one delivery each, and sends
 * each delivery until a receiver answers 2xx or its retry window ends. A delivery's id is the
 * `webhook-id` header, the same on every attempt.
 */
import type { BatchRecord, BatchState } from './batch.js';

export const WEBHOOK_STATES = ['enabled', 'disabled', 'disabled_due_to_failed_deliveries'] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

/** The events batchmode emits. */
export const BATCH_EVENT_TYPES = ['batch.succeeded', 'batch.failed', 'batch.expired', 'batch.cancelled'] as const;
export type BatchEventType = (typeof BATCH_EVENT_TYPES)[number];
/** Sent by `:ping` only, whatever the subscription. */
export const PING_EVENT_TYPE = 'webhook.ping';
/**
 * Events a webhook may subscribe to: batchmode's, and the other events Google's SDKs list
 * (interactions, video), accepted so that subscriptions written for Google keep working.
 */
export const SUBSCRIBABLE_EVENTS: readonly string[] = [
  ...BATCH_EVENT_TYPES,
  'interaction.requires_action', 'interaction.completed', 'interaction.failed', 'interaction.cancelled', 'video.generated',
];

/** A static webhook's signing secret: `whsec_` + base64 of its random bytes. */
export interface SigningSecret {
  secret: string;
  createTimeMs: number;
  /** Set on the previous secret when rotated with a 24-hour grace; it signs until then. */
  expireTimeMs: number | undefined;
}

export interface WebhookRecord {
  /** Lowercase alphanumerics. */
  id: string;
  tenantId: string;
  /** The user's name for it (free text, may be empty). */
  name: string;
  uri: string;
  subscribedEvents: string[];
  state: WebhookState;
  /** Newest first. Every unexpired secret signs each delivery (one signature each). */
  signingSecrets: SigningSecret[];
  createTimeMs: number;
  updateTimeMs: number;
}

/** An event waiting in the outbox to be fanned out to its targets. */
export interface WebhookEvent {
  id: string;
  tenantId: string;
  type: string;
  /** The envelope's `data`. */
  data: Record<string, unknown>;
  /** The batch's `webhookConfig.userMetadata`, echoed in every delivery as `user_metadata`. */
  userMetadata: unknown;
  /** The batch's `webhookConfig.uris`: when set, used instead of the tenant's webhooks (dynamic, JWT-signed). */
  uris: string[] | undefined;
  createTimeMs: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryRecord {
  /** The `webhook-id` header (`msg_…`): the same on every attempt of this delivery. */
  id: string;
  tenantId: string;
  eventType: string;
  /** A static webhook's id (signed with its secrets); undefined for a dynamic URI (signed with a JWT). */
  webhookId: string | undefined;
  uri: string;
  /** The exact request body, fixed when the delivery is created. */
  body: string;
  /** For a dynamic delivery: the batch's user metadata, carried into the JWT claims. */
  userMetadata: unknown;
  state: DeliveryState;
  /** Attempts made so far. */
  attempts: number;
  nextAttemptMs: number;
  createTimeMs: number;
  /** Set when it reached a final state. */
  completeTimeMs: number | undefined;
  /** The last attempt's failure (status or error), for logs and operators. */
  lastError: string | undefined;
}

/** What one attempt came to, as the dispatcher records it. */
export type DeliveryOutcome =
  | { kind: 'delivered'; nowMs: number }
  | { kind: 'retry'; nowMs: number; nextAttemptMs: number; error: string }
  /** Given up (retry window over); a static webhook then becomes disabled_due_to_failed_deliveries. */
  | { kind: 'failed'; nowMs: number; error: string }
  /** Not sent: its webhook was deleted or disabled meanwhile. */
  | { kind: 'dropped'; nowMs: number; error: string };

/** An RS256 key pair that signs dynamic deliveries; the public half is served at /.well-known/jwks.json. */
export interface SigningKey {
  /** The JWT header's `kid`. */
  kid: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** The public key as a JWK (with `kid`, `alg: RS256`, `use: sig`). */
  publicJwk: Record<string, unknown>;
  createTimeMs: number;
}

const EVENT_OF_STATE: Partial<Record<BatchState, BatchEventType>> = {
  BATCH_STATE_SUCCEEDED: 'batch.succeeded',
  BATCH_STATE_FAILED: 'batch.failed',
  BATCH_STATE_EXPIRED: 'batch.expired',
  BATCH_STATE_CANCELLED: 'batch.cancelled',
};

/**
 * The event a batch emits on reaching its terminal state `batch.state` (undefined while it is
 * active). Its id is derived from the batch, so it is queued at most once. `data.id` is the
 * batch's name; `output_file_uri` names the results file of a file batch (kept for cancelled
 * and expired batches too: their finished results are in it).
 */
export function batchTerminalEvent(batch: BatchRecord, nowMs: number): WebhookEvent | undefined {
  const type = EVENT_OF_STATE[batch.state];
  if (type === undefined) return undefined;
  const data: Record<string, unknown> = { id: `batches/${batch.id}` };
  if (batch.outputFileId !== undefined) data.output_file_uri = `files/${batch.outputFileId}`;
  if (type === 'batch.failed') {
    data.error_code = batch.error?.code ?? 13;
    data.error_message = batch.error?.message ?? 'The batch failed.';
  }
  const config = webhookConfigOf(batch.webhookConfig);
  return {
    id: `batch-${batch.id}`, tenantId: batch.tenantId, type, data,
    userMetadata: config.userMetadata, uris: config.uris, createTimeMs: nowMs,
  };
}

/** The parts of a stored `webhookConfig` the dispatcher uses (the API validated it at create). */
export function webhookConfigOf(config: unknown): { uris: string[] | undefined; userMetadata: unknown } {
  if (config === null || typeof config !== 'object') return { uris: undefined, userMetadata: undefined };
  const { uris, userMetadata } = config as { uris?: unknown; userMetadata?: unknown };
  const list = Array.isArray(uris) ? uris.filter((uri): uri is string => typeof uri === 'string') : [];
  return { uris: list.length > 0 ? list : undefined, userMetadata };
}

/**
 * Google's WebhookService for one tenant's static webhooks: create (the signing secret is shown
 * once, here), get, list, update, delete, ping and secret rotation, plus the JWKS that verifies
 * dynamic deliveries. Validation lives here, so the API layer only parses the wire; messages
 * name fields in snake_case as the wire spells them.
 */
import { failedPrecondition, invalidArgument, notFound } from '../core/errors.js';
import { PING_EVENT_TYPE, SUBSCRIBABLE_EVENTS, type DeliveryRecord, type SigningSecret, type WebhookRecord, type WebhookState } from '../core/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { ListCursor, Store } from '../store/store.js';
import { newDeliveryId, pingBody } from './delivery-request.js';
import { checkWebhookUri, type DestinationPolicy } from './destination-policy.js';
import { jwks } from './signing-keys.js';
import { generateSigningSecret } from './signing-secret.js';

export interface WebhookInput { name?: string; uri: string; subscribedEvents: string[] }
export interface WebhookPatch { name?: string; uri?: string; subscribedEvents?: string[]; state?: string }
export type RevocationBehavior = 'revoke_previous_secrets_immediately' | 'revoke_previous_secrets_after_h24';
export interface WebhookPage { webhooks: WebhookRecord[]; next: ListCursor | undefined }

export interface WebhookService {
  create(tenantId: string, input: WebhookInput): Promise<{ webhook: WebhookRecord; newSigningSecret: string }>;
  /** NOT_FOUND for an absent webhook and for another tenant's alike. */
  get(tenantId: string, id: string): Promise<WebhookRecord>;
  list(tenantId: string, pageSize: number, after: ListCursor | undefined): Promise<WebhookPage>;
  update(tenantId: string, id: string, patch: WebhookPatch): Promise<WebhookRecord>;
  /** Removes the webhook; its pending deliveries are dropped. */
  delete(tenantId: string, id: string): Promise<void>;
  /** Queues a `webhook.ping` delivery to the webhook, due now (FAILED_PRECONDITION unless it is enabled). */
  ping(tenantId: string, id: string): Promise<void>;
  /** A new secret; the previous ones are dropped at once, or kept signing for 24 hours. */
  rotateSigningSecret(tenantId: string, id: string, revocation: RevocationBehavior): Promise<string>;
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
}

export interface WebhookServiceDeps {
  store: Store;
  clock: Clock;
  randomId: IdGenerator;
  destinationPolicy: DestinationPolicy;
  /** How long deliveries are retried (the dispatcher's setting, the same everywhere). */
  retryWindowMs: number;
}

/** Google's limit on a webhook's name. */
export const MAX_WEBHOOK_NAME_LENGTH = 512;
/** How long the previous secrets keep signing after `revoke_previous_secrets_after_h24`. */
export const SECRET_GRACE_MS = 24 * 3_600_000;
const WEBHOOK_ID_LENGTH = 16;
/** The states a client may set; `disabled_due_to_failed_deliveries` is the dispatcher's alone. */
const SETTABLE_STATES: readonly WebhookState[] = ['enabled', 'disabled'];

function checkName(name: string): string {
  if (name.length > MAX_WEBHOOK_NAME_LENGTH) throw invalidArgument(`name is longer than ${MAX_WEBHOOK_NAME_LENGTH} characters.`);
  return name;
}

/** The events in order of first mention, each once; refuses none or an unknown one. */
function checkEvents(events: readonly string[]): string[] {
  if (events.length === 0) throw invalidArgument('subscribed_events must name at least one event, e.g. ["batch.succeeded"].');
  for (const event of events) {
    if (!SUBSCRIBABLE_EVENTS.includes(event)) {
      throw invalidArgument(`subscribed_events names an unknown event ${JSON.stringify(event)}; known events: ${SUBSCRIBABLE_EVENTS.join(', ')}.`);
    }
  }
  return [...new Set(events)];
}

function checkState(state: string): WebhookState {
  if (!(SETTABLE_STATES as readonly string[]).includes(state)) {
    throw invalidArgument(`state must be enabled or disabled, got ${JSON.stringify(state)}.`);
  }
  return state as WebhookState;
}

export function createWebhookService(deps: WebhookServiceDeps): WebhookService {
  const { store, clock, randomId, destinationPolicy } = deps;

  const load = async (tenantId: string, id: string): Promise<WebhookRecord> => {
    const webhook = await store.webhooks.get(tenantId, id);
    if (!webhook) throw notFound(`Webhook webhooks/${id} not found.`);
    return webhook;
  };

  const save = async (webhook: WebhookRecord): Promise<WebhookRecord> => {
    if (!(await store.webhooks.update(webhook))) throw notFound(`Webhook webhooks/${webhook.id} not found.`);
    return webhook;
  };

  return {
    async create(tenantId, input) {
      checkWebhookUri(input.uri, destinationPolicy, 'uri');
      const subscribedEvents = checkEvents(input.subscribedEvents);
      const name = checkName(input.name ?? '');
      const now = clock.now();
      const secret = generateSigningSecret();
      const webhook: WebhookRecord = {
        id: randomId(WEBHOOK_ID_LENGTH), tenantId, name, uri: input.uri, subscribedEvents, state: 'enabled',
        signingSecrets: [{ secret, createTimeMs: now, expireTimeMs: undefined }], createTimeMs: now, updateTimeMs: now,
      };
      await store.webhooks.insert(webhook);
      return { webhook, newSigningSecret: secret };
    },

    get: load,

    async list(tenantId, pageSize, after) {
      const rows = await store.webhooks.list(tenantId, { limit: pageSize + 1, ...(after ? { after } : {}) });
      const webhooks = rows.slice(0, pageSize);
      const last = webhooks.at(-1);
      return { webhooks, next: rows.length > pageSize && last ? { createTimeMs: last.createTimeMs, id: last.id } : undefined };
    },

    async update(tenantId, id, patch) {
      // Validate the patch before looking the webhook up, so a bad request is a 400 either way.
      if (patch.uri !== undefined) checkWebhookUri(patch.uri, destinationPolicy, 'uri');
      const subscribedEvents = patch.subscribedEvents === undefined ? undefined : checkEvents(patch.subscribedEvents);
      const state = patch.state === undefined ? undefined : checkState(patch.state);
      const name = patch.name === undefined ? undefined : checkName(patch.name);
      const webhook = await load(tenantId, id);
      return save({
        ...webhook,
        name: name ?? webhook.name,
        uri: patch.uri ?? webhook.uri,
        subscribedEvents: subscribedEvents ?? webhook.subscribedEvents,
        state: state ?? webhook.state,
        updateTimeMs: clock.now(),
      });
    },

    async delete(tenantId, id) {
      if (!(await store.webhooks.delete(tenantId, id))) throw notFound(`Webhook webhooks/${id} not found.`);
    },

    async ping(tenantId, id) {
      const webhook = await load(tenantId, id);
      if (webhook.state !== 'enabled') {
        throw failedPrecondition(`Webhook webhooks/${id} is ${webhook.state}; set its state to enabled to ping it.`);
      }
      const now = clock.now();
      const delivery: DeliveryRecord = {
        id: newDeliveryId(randomId), tenantId, eventType: PING_EVENT_TYPE, webhookId: webhook.id, uri: webhook.uri,
        body: pingBody(now, webhook.id), userMetadata: undefined, state: 'pending', attempts: 0, nextAttemptMs: now,
        createTimeMs: now, completeTimeMs: undefined, lastError: undefined,
      };
      await store.deliveries.insert(delivery);
    },

    async rotateSigningSecret(tenantId, id, revocation) {
      const webhook = await load(tenantId, id);
      const now = clock.now();
      const secret = generateSigningSecret();
      const previous: SigningSecret[] = revocation === 'revoke_previous_secrets_immediately'
        ? []
        : webhook.signingSecrets
          .filter((old) => old.expireTimeMs === undefined || old.expireTimeMs > now)
          .map((old) => ({ ...old, expireTimeMs: Math.min(old.expireTimeMs ?? Infinity, now + SECRET_GRACE_MS) }));
      await save({ ...webhook, signingSecrets: [{ secret, createTimeMs: now, expireTimeMs: undefined }, ...previous], updateTimeMs: now });
      return secret;
    },

    jwks: () => jwks(store),
  };
}

/**
 * Webhooks on the wire. Unlike the rest of the Gemini API, the WebhookService speaks
 * snake_case both ways (its SDK types are generated that way): `subscribed_events`,
 * `signing_secrets`, `create_time`, `next_page_token`. Request bodies are accepted in either
 * casing, as everywhere. A signing secret is shown whole only once, in the create answer
 * (`new_signing_secret`); afterwards only a truncated form.
 */
import { invalidArgument } from '../../core/errors.js';
import type { WebhookRecord } from '../../core/webhook.js';
import { toTimestamp } from '../../lib/clock.js';
import type { RevocationBehavior, WebhookInput, WebhookPatch } from '../../webhooks/index.js';
import { truncateSecret } from '../../webhooks/index.js';
import { normalizeKeys, snakeToCamel } from './normalize-keys.js';

export function toWebhookResource(webhook: WebhookRecord, newSigningSecret?: string): Record<string, unknown> {
  return {
    id: webhook.id,
    name: webhook.name,
    uri: webhook.uri,
    subscribed_events: webhook.subscribedEvents,
    state: webhook.state,
    signing_secrets: webhook.signingSecrets.map((secret) => ({
      truncated_secret: truncateSecret(secret.secret),
      ...(secret.expireTimeMs !== undefined ? { expire_time: toTimestamp(secret.expireTimeMs) } : {}),
    })),
    create_time: toTimestamp(webhook.createTimeMs),
    update_time: toTimestamp(webhook.updateTimeMs),
    ...(newSigningSecret !== undefined ? { new_signing_secret: newSigningSecret } : {}),
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  const normalized = normalizeKeys(body);
  if (normalized === null || typeof normalized !== 'object' || Array.isArray(normalized)) {
    throw invalidArgument('The request body must be a webhook resource, a JSON object.');
  }
  return normalized as Record<string, unknown>;
}

const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string, got ${JSON.stringify(value)}.`);
  return value;
};

const stringList = (value: unknown, field: string): string[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidArgument(`${field} must be a list of event names such as ["batch.succeeded"].`);
  }
  return value;
};

/** `POST /v1beta/webhooks`: `{name?, uri, subscribed_events}`. Output-only fields a client echoes are ignored. */
export function parseWebhookInput(body: unknown): WebhookInput {
  const resource = objectBody(body);
  const uri = optionalString(resource.uri, 'uri');
  if (uri === undefined) throw invalidArgument('uri is required: the URL events are sent to.');
  const subscribedEvents = stringList(resource.subscribedEvents, 'subscribed_events');
  if (subscribedEvents === undefined) throw invalidArgument('subscribed_events is required, e.g. ["batch.succeeded", "batch.failed"].');
  const name = optionalString(resource.name, 'name');
  return { uri, subscribedEvents, ...(name !== undefined ? { name } : {}) };
}

const PATCHABLE = ['name', 'uri', 'subscribedEvents', 'state'] as const;
type Patchable = (typeof PATCHABLE)[number];

/**
 * `PATCH /v1beta/webhooks/{id}?update_mask=…`: the fields the mask names (a named field absent
 * from the body is cleared, which the service refuses for required ones); without a mask, the
 * fields present in the body.
 */
export function parseWebhookPatch(body: unknown, url: URL): WebhookPatch {
  const resource = objectBody(body);
  const raw = url.searchParams.get('update_mask') ?? url.searchParams.get('updateMask');
  let fields: Patchable[];
  if (raw === null || raw.trim() === '') {
    fields = PATCHABLE.filter((field) => resource[field] !== undefined);
  } else {
    fields = raw.split(',').map((part) => {
      const name = snakeToCamel(part.trim());
      if (!(PATCHABLE as readonly string[]).includes(name)) {
        throw invalidArgument(`update_mask names '${part.trim()}', which cannot be updated: only name, uri, subscribed_events and state can.`);
      }
      return name as Patchable;
    });
  }
  if (fields.length === 0) throw invalidArgument('Nothing to update: set name, uri, subscribed_events or state.');
  const patch: WebhookPatch = {};
  for (const field of new Set(fields)) {
    if (field === 'subscribedEvents') patch.subscribedEvents = stringList(resource.subscribedEvents, 'subscribed_events') ?? [];
    else patch[field] = optionalString(resource[field], field) ?? '';
  }
  return patch;
}

const REVOCATIONS: readonly RevocationBehavior[] = ['revoke_previous_secrets_immediately', 'revoke_previous_secrets_after_h24'];

/**
 * `:rotateSigningSecret` `{revocation_behavior}`; without one, the previous secrets stay valid
 * for 24 hours (no delivery in flight fails verification during a planned rotation).
 */
export function parseRevocation(body: unknown): RevocationBehavior {
  const value = objectBody(body).revocationBehavior;
  if (value === undefined || value === null || value === '') return 'revoke_previous_secrets_after_h24';
  if (typeof value === 'string' && (REVOCATIONS as readonly string[]).includes(value.toLowerCase())) return value.toLowerCase() as RevocationBehavior;
  throw invalidArgument(`revocation_behavior must be one of ${REVOCATIONS.join(', ')}, got ${JSON.stringify(value)}.`);
}

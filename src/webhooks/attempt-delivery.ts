/**
 * One attempt of one claimed delivery, start to finish: a static delivery's webhook is loaded
 * first (deleted or no longer enabled: the delivery is dropped unsent; its current URI is used,
 * so a fixed URI takes effect on the next retry), the request is signed and sent, and the
 * outcome recorded under the lease: delivered on a 2xx, otherwise retried with back-off until
 * the retry window would end, then failed (which disables a static webhook). Every attempt is
 * logged once at info.
 */
import type { DeliveryOutcome, DeliveryRecord, SigningKey } from '../core/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';
import { deliveryRequest, type DeliverySigner } from './delivery-request.js';
import { retryDelayMs } from './retry-schedule.js';
import type { DeliverySender, SendResult } from './send-delivery.js';

export interface AttemptDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The lease holder recorded at claim. */
  owner: string;
  sender: DeliverySender;
  /** The key that signs dynamic deliveries (the newest). */
  signingKey: () => Promise<SigningKey>;
  retryWindowMs: number;
  random?: () => number;
}

/** Sends `delivery` once and records what came of it; resolves the outcome recorded. */
export async function attemptDelivery(delivery: DeliveryRecord, deps: AttemptDeps, signal?: AbortSignal): Promise<DeliveryOutcome> {
  const { store, clock, logger } = deps;
  const attempt = delivery.attempts + 1;
  const target = delivery.webhookId === undefined ? { uri: loggableUri(delivery.uri) } : { webhook: delivery.webhookId };
  const log = (outcome: DeliveryOutcome, result: Partial<SendResult>): void => {
    logger.info('webhook delivery', {
      event: 'webhook.delivery', delivery: delivery.id, eventType: delivery.eventType, tenant: delivery.tenantId, ...target, attempt,
      status: result.status, durationMs: result.durationMs, outcome: outcome.kind, error: 'error' in outcome ? outcome.error : undefined,
    });
  };
  const record = async (outcome: DeliveryOutcome, result: Partial<SendResult>): Promise<DeliveryOutcome> => {
    log(outcome, result);
    if (!(await store.deliveries.recordAttempt(delivery.id, deps.owner, outcome))) {
      logger.warn('webhook delivery outcome not recorded: the lease was lost (deleted, or taken over after it lapsed)', {
        delivery: delivery.id, outcome: outcome.kind,
      });
    }
    return outcome;
  };

  let signer: DeliverySigner;
  let uri = delivery.uri;
  if (delivery.webhookId !== undefined) {
    const webhook = await store.webhooks.get(delivery.tenantId, delivery.webhookId);
    if (!webhook || webhook.state !== 'enabled') {
      const error = webhook ? `the webhook is ${webhook.state}` : 'the webhook was deleted';
      return record({ kind: 'dropped', nowMs: clock.now(), error }, {});
    }
    signer = { webhook };
    uri = webhook.uri;
  } else {
    signer = { key: await deps.signingKey() };
  }

  const request = deliveryRequest({ ...delivery, uri }, signer, clock.now());
  const result = await deps.sender.send(request.uri, request.headers, request.body, signal);
  const nowMs = clock.now();
  if (result.ok) return record({ kind: 'delivered', nowMs }, result);
  const error = result.error ?? `HTTP ${result.status ?? '?'}`;
  const nextAttemptMs = nowMs + retryDelayMs(attempt, deps.random);
  if (nextAttemptMs > delivery.createTimeMs + deps.retryWindowMs) return record({ kind: 'failed', nowMs, error }, result);
  return record({ kind: 'retry', nowMs, nextAttemptMs, error }, result);
}

/** A receiver URI as the log shows it: origin and path only, since a query string may carry a token. */
export function loggableUri(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

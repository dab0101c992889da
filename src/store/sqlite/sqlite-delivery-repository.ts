/**
 * The webhook outbox (WebhookEventRepository) and deliveries (DeliveryRepository) on SQLite.
 * SQLite has one writer at a time, so a claim is a single UPDATE … RETURNING: no two callers
 * can lease the same row. Writes across rows (fan-out, an attempt that disables its webhook)
 * are IMMEDIATE transactions.
 */
import type { Database } from 'better-sqlite3';
import type { DeliveryRecord, DeliveryOutcome } from '../../core/webhook.js';
import type { DeliveryRepository, WebhookEventRepository } from '../store.js';
import {
  attemptValues, byDueTime, DELIVERY_COLUMNS, deliveryFromRow, deliveryParams, DISABLED_BY_FAILURES, webhookEventFromRow,
  type DeliveryRow, type WebhookEventRow,
} from '../webhook-row-mapping.js';

const INSERT_DELIVERY_SQL = `INSERT INTO webhook_deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Queues an outbox event unless one with its id is queued already (recordResults). */
export const INSERT_EVENT_SQL = `INSERT INTO webhook_events (id, tenant_id, type, data, user_metadata, uris, create_time_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

/** A delivery due at now whose lease is free or lapsed; both parameters are now. */
const CLAIMABLE_SQL = `state = 'pending' AND next_attempt_ms <= ? AND (lease_until_ms IS NULL OR lease_until_ms < ?)`;

export function createSqliteWebhookEventRepository(db: Database): WebhookEventRepository {
  const listPending = db.prepare<[number], WebhookEventRow>('SELECT * FROM webhook_events ORDER BY create_time_ms, id LIMIT ?');
  const removeEvent = db.prepare('DELETE FROM webhook_events WHERE id = ?');
  const insertDelivery = db.prepare(INSERT_DELIVERY_SQL);
  const fanOut = db.transaction((eventId: string, deliveries: readonly DeliveryRecord[]) => {
    if (removeEvent.run(eventId).changes !== 1) return false;
    for (const delivery of deliveries) insertDelivery.run(...deliveryParams(delivery));
    return true;
  });
  return {
    listPending: async (limit) => listPending.all(limit).map(webhookEventFromRow),
    fanOut: async (eventId, deliveries) => fanOut.immediate(eventId, deliveries),
  };
}

export function createSqliteDeliveryRepository(db: Database): DeliveryRepository {
  const insert = db.prepare(INSERT_DELIVERY_SQL);
  const get = db.prepare<[string], DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = ?');
  const claim = db.prepare<[string, number, number, number, number], DeliveryRow>(
    `UPDATE webhook_deliveries SET lease_owner = ?, lease_until_ms = ?
     WHERE id IN (SELECT id FROM webhook_deliveries WHERE ${CLAIMABLE_SQL} ORDER BY next_attempt_ms, id LIMIT ?)
     RETURNING *`,
  );
  const attempt = db.prepare<[string, number | null, number | null, string | null, string, string], Pick<DeliveryRow, 'webhook_id' | 'tenant_id'>>(
    `UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_ms = COALESCE(?, next_attempt_ms),
       complete_time_ms = ?, last_error = ?, lease_owner = NULL, lease_until_ms = NULL
     WHERE id = ? AND lease_owner = ? AND state = 'pending'
     RETURNING webhook_id, tenant_id`,
  );
  // Only an enabled webhook: one the user disabled meanwhile keeps the user's state.
  const disableWebhook = db.prepare(
    `UPDATE webhooks SET state = '${DISABLED_BY_FAILURES}', update_time_ms = ? WHERE id = ? AND tenant_id = ? AND state = 'enabled'`,
  );
  const recordAttempt = db.transaction((id: string, owner: string, outcome: DeliveryOutcome) => {
    const values = attemptValues(outcome);
    const row = attempt.get(values.state, values.nextAttemptMs, values.completeTimeMs, values.lastError, id, owner);
    if (!row) return false;
    if (outcome.kind === 'failed' && row.webhook_id !== null) disableWebhook.run(outcome.nowMs, row.webhook_id, row.tenant_id);
    return true;
  });
  const releaseEvery = db.prepare('UPDATE webhook_deliveries SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner IS NOT NULL');
  const prune = db.prepare(`DELETE FROM webhook_deliveries WHERE complete_time_ms < ? AND state <> 'pending'`);

  return {
    insert: async (delivery) => {
      insert.run(...deliveryParams(delivery));
    },
    get: async (id) => {
      const row = get.get(id);
      return row && deliveryFromRow(row);
    },
    claim: async (owner, nowMs, leaseUntilMs, limit) =>
      claim.all(owner, leaseUntilMs, nowMs, nowMs, limit).sort(byDueTime).map(deliveryFromRow),
    recordAttempt: async (id, owner, outcome) => recordAttempt.immediate(id, owner, outcome),
    releaseEveryLease: async () => releaseEvery.run().changes,
    pruneFinished: async (beforeMs) => prune.run(beforeMs).changes,
  };
}

/**
 * The webhook outbox (WebhookEventRepository) and deliveries (DeliveryRepository) on PostgreSQL.
 *
 * A claim is one statement: a CTE picks the due deliveries `FOR UPDATE SKIP LOCKED` and the
 * UPDATE leases them. As for shards (postgres-shard-repository.ts), SKIP LOCKED lets concurrent
 * claimers in many processes pass over the rows another is leasing right now instead of
 * queueing on them, and a row leased and committed after this statement's snapshot is
 * re-checked under the lock, found leased, and skipped: two claimers never get the same delivery.
 */
import type { Pool } from 'pg';
import type { WebhookEvent } from '../../core/webhook.js';
import type { DeliveryRepository, WebhookEventRepository } from '../store.js';
import {
  attemptValues, byDueTime, DELIVERY_COLUMNS, deliveryFromRow, deliveryParams, DISABLED_BY_FAILURES, webhookEventFromRow, webhookEventParams,
  type DeliveryRow, type WebhookEventRow,
} from '../webhook-row-mapping.js';
import { withTransaction, type Queryable } from './transaction.js';

const INSERT_DELIVERY_SQL = `INSERT INTO webhook_deliveries (${DELIVERY_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

/** Queues an outbox event unless one with its id is queued already (recordResults). */
export async function insertWebhookEvent(client: Queryable, event: WebhookEvent): Promise<void> {
  await client.query(
    `INSERT INTO webhook_events (id, tenant_id, type, data, user_metadata, uris, create_time_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    webhookEventParams(event),
  );
}

const CLAIM_SQL = `WITH due AS (
    SELECT id FROM webhook_deliveries
    WHERE state = 'pending' AND next_attempt_ms <= $1 AND (lease_until_ms IS NULL OR lease_until_ms < $1)
    ORDER BY next_attempt_ms, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
  )
  UPDATE webhook_deliveries d SET lease_owner = $2, lease_until_ms = $3
  FROM due WHERE d.id = due.id
  RETURNING d.*`;

export function createPostgresWebhookEventRepository(pool: Pool): WebhookEventRepository {
  return {
    listPending: async (limit) =>
      (await pool.query<WebhookEventRow>('SELECT * FROM webhook_events ORDER BY create_time_ms, id LIMIT $1', [limit])).rows.map(webhookEventFromRow),
    fanOut: async (eventId, deliveries) =>
      withTransaction(pool, async (client) => {
        // A second fan-out of the event waits on this row lock, then finds the row gone.
        const removed = await client.query('DELETE FROM webhook_events WHERE id = $1', [eventId]);
        if (removed.rowCount !== 1) return false;
        for (const delivery of deliveries) await client.query(INSERT_DELIVERY_SQL, deliveryParams(delivery));
        return true;
      }),
  };
}

export function createPostgresDeliveryRepository(pool: Pool): DeliveryRepository {
  return {
    insert: async (delivery) => {
      await pool.query(INSERT_DELIVERY_SQL, deliveryParams(delivery));
    },
    get: async (id) => {
      const { rows } = await pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
      return rows[0] && deliveryFromRow(rows[0]);
    },
    claim: async (owner, nowMs, leaseUntilMs, limit) =>
      (await pool.query<DeliveryRow>(CLAIM_SQL, [nowMs, owner, leaseUntilMs, limit])).rows.sort(byDueTime).map(deliveryFromRow),
    recordAttempt: async (id, owner, outcome) =>
      withTransaction(pool, async (client) => {
        const values = attemptValues(outcome);
        const { rows } = await client.query<Pick<DeliveryRow, 'webhook_id' | 'tenant_id'>>(
          `UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_attempt_ms = COALESCE($2, next_attempt_ms),
             complete_time_ms = $3, last_error = $4, lease_owner = NULL, lease_until_ms = NULL
           WHERE id = $5 AND lease_owner = $6 AND state = 'pending'
           RETURNING webhook_id, tenant_id`,
          [values.state, values.nextAttemptMs, values.completeTimeMs, values.lastError, id, owner],
        );
        const row = rows[0];
        if (!row) return false;
        if (outcome.kind === 'failed' && row.webhook_id !== null) {
          // Only an enabled webhook: one the user disabled meanwhile keeps the user's state.
          await client.query(
            `UPDATE webhooks SET state = '${DISABLED_BY_FAILURES}', update_time_ms = $1 WHERE id = $2 AND tenant_id = $3 AND state = 'enabled'`,
            [outcome.nowMs, row.webhook_id, row.tenant_id],
          );
        }
        return true;
      }),
    releaseEveryLease: async () =>
      (await pool.query('UPDATE webhook_deliveries SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner IS NOT NULL')).rowCount ?? 0,
    pruneFinished: async (beforeMs) =>
      (await pool.query(`DELETE FROM webhook_deliveries WHERE complete_time_ms < $1 AND state <> 'pending'`, [beforeMs])).rowCount ?? 0,
  };
}

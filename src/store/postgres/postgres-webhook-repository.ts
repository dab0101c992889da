/** WebhookRepository and SigningKeyRepository on PostgreSQL. */
import type { Pool } from 'pg';
import type { ListOptions, SigningKeyRepository, WebhookRepository } from '../store.js';
import {
  signingKeyFromRow, signingKeyParams, webhookFromRow, webhookParams, webhookUpdateParams, type SigningKeyRow, type WebhookRow,
} from '../webhook-row-mapping.js';
import { withTransaction } from './transaction.js';

export function createPostgresWebhookRepository(pool: Pool): WebhookRepository {
  return {
    insert: async (webhook) => {
      await pool.query(
        `INSERT INTO webhooks (id, tenant_id, name, uri, subscribed_events, state, signing_secrets, create_time_ms, update_time_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        webhookParams(webhook),
      );
    },
    get: async (tenantId, id) => {
      const { rows } = await pool.query<WebhookRow>('SELECT * FROM webhooks WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return rows[0] && webhookFromRow(rows[0]);
    },
    list: async (tenantId, { limit, after }: ListOptions) => {
      const { rows } = after
        ? await pool.query<WebhookRow>(
          `SELECT * FROM webhooks WHERE tenant_id = $1 AND (create_time_ms < $2 OR (create_time_ms = $2 AND id < $3))
           ORDER BY create_time_ms DESC, id DESC LIMIT $4`,
          [tenantId, after.createTimeMs, after.id, limit],
        )
        : await pool.query<WebhookRow>('SELECT * FROM webhooks WHERE tenant_id = $1 ORDER BY create_time_ms DESC, id DESC LIMIT $2', [tenantId, limit]);
      return rows.map(webhookFromRow);
    },
    update: async (webhook) =>
      (await pool.query(
        `UPDATE webhooks SET name = $1, uri = $2, subscribed_events = $3, state = $4, signing_secrets = $5, update_time_ms = $6
         WHERE tenant_id = $7 AND id = $8`,
        webhookUpdateParams(webhook),
      )).rowCount === 1,
    delete: async (tenantId, id) =>
      withTransaction(pool, async (client) => {
        // Deliveries first, then the webhook: the order in which recordAttempt locks them, so
        // the two never deadlock. Deleted rather than marked dropped: the port gives no time to
        // stamp them with, and a holder of one's lease then finds it gone (recordAttempt: false).
        await client.query(`DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2 AND state = 'pending'`, [tenantId, id]);
        const { rows } = await client.query<WebhookRow>('DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2 RETURNING *', [tenantId, id]);
        return rows[0] && webhookFromRow(rows[0]);
      }),
    listSubscribed: async (tenantId, eventType) =>
      (await pool.query<WebhookRow>(
        `SELECT * FROM webhooks WHERE tenant_id = $1 AND state = 'enabled'
           AND subscribed_events::jsonb @> jsonb_build_array($2::text)
         ORDER BY create_time_ms, id`,
        [tenantId, eventType],
      )).rows.map(webhookFromRow),
  };
}

export function createPostgresSigningKeyRepository(pool: Pool): SigningKeyRepository {
  return {
    list: async () =>
      (await pool.query<SigningKeyRow>('SELECT * FROM signing_keys ORDER BY create_time_ms DESC, kid DESC')).rows.map(signingKeyFromRow),
    insert: async (key) => {
      await pool.query('INSERT INTO signing_keys (kid, private_key_pem, public_jwk, create_time_ms) VALUES ($1, $2, $3, $4)', signingKeyParams(key));
    },
    delete: async (kid) => {
      await pool.query('DELETE FROM signing_keys WHERE kid = $1', [kid]);
    },
  };
}

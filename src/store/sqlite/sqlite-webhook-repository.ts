/** WebhookRepository and SigningKeyRepository on SQLite. */
import type { Database } from 'better-sqlite3';
import type { ListOptions, SigningKeyRepository, WebhookRepository } from '../store.js';
import {
  signingKeyFromRow, signingKeyParams, webhookFromRow, webhookParams, webhookUpdateParams, type SigningKeyRow, type WebhookRow,
} from '../webhook-row-mapping.js';

export function createSqliteWebhookRepository(db: Database): WebhookRepository {
  const insert = db.prepare(`INSERT INTO webhooks (id, tenant_id, name, uri, subscribed_events, state, signing_secrets,
    create_time_ms, update_time_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const get = db.prepare<[string, string], WebhookRow>('SELECT * FROM webhooks WHERE tenant_id = ? AND id = ?');
  const listFirst = db.prepare<[string, number], WebhookRow>(
    'SELECT * FROM webhooks WHERE tenant_id = ? ORDER BY create_time_ms DESC, id DESC LIMIT ?',
  );
  const listAfter = db.prepare<[string, number, number, string, number], WebhookRow>(
    `SELECT * FROM webhooks WHERE tenant_id = ? AND (create_time_ms < ? OR (create_time_ms = ? AND id < ?))
     ORDER BY create_time_ms DESC, id DESC LIMIT ?`,
  );
  const update = db.prepare(`UPDATE webhooks SET name = ?, uri = ?, subscribed_events = ?, state = ?, signing_secrets = ?,
    update_time_ms = ? WHERE tenant_id = ? AND id = ?`);
  const remove = db.prepare<[string, string], WebhookRow>('DELETE FROM webhooks WHERE tenant_id = ? AND id = ? RETURNING *');
  // Deleted rather than marked dropped: the port gives no time to stamp them with, and a holder
  // of one's lease then finds it gone (recordAttempt resolves false).
  const dropPending = db.prepare(`DELETE FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ? AND state = 'pending'`);
  const subscribed = db.prepare<[string, string], WebhookRow>(
    `SELECT * FROM webhooks WHERE tenant_id = ? AND state = 'enabled'
       AND EXISTS (SELECT 1 FROM json_each(webhooks.subscribed_events) WHERE value = ?)
     ORDER BY create_time_ms, id`,
  );
  const removeWithDeliveries = db.transaction((tenantId: string, id: string) => {
    const row = remove.get(tenantId, id);
    if (row) dropPending.run(tenantId, id);
    return row;
  });

  return {
    insert: async (webhook) => {
      insert.run(...webhookParams(webhook));
    },
    get: async (tenantId, id) => {
      const row = get.get(tenantId, id);
      return row && webhookFromRow(row);
    },
    list: async (tenantId, { limit, after }: ListOptions) =>
      (after ? listAfter.all(tenantId, after.createTimeMs, after.createTimeMs, after.id, limit) : listFirst.all(tenantId, limit)).map(webhookFromRow),
    update: async (webhook) => update.run(...webhookUpdateParams(webhook)).changes === 1,
    delete: async (tenantId, id) => {
      const row = removeWithDeliveries.immediate(tenantId, id);
      return row && webhookFromRow(row);
    },
    listSubscribed: async (tenantId, eventType) => subscribed.all(tenantId, eventType).map(webhookFromRow),
  };
}

export function createSqliteSigningKeyRepository(db: Database): SigningKeyRepository {
  const list = db.prepare<[], SigningKeyRow>('SELECT * FROM signing_keys ORDER BY create_time_ms DESC, kid DESC');
  const insert = db.prepare('INSERT INTO signing_keys (kid, private_key_pem, public_jwk, create_time_ms) VALUES (?, ?, ?, ?)');
  const remove = db.prepare('DELETE FROM signing_keys WHERE kid = ?');
  return {
    list: async () => list.all().map(signingKeyFromRow),
    insert: async (key) => {
      insert.run(...signingKeyParams(key));
    },
    delete: async (kid) => {
      remove.run(kid);
    },
  };
}

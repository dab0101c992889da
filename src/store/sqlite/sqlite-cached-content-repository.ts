/** CachedContentRepository on SQLite: one row per cache, the prefix as JSON; lists page by keyset, newest first. */
import type { Database } from 'better-sqlite3';
import type { CachedContentRepository } from '../cached-content-repository.js';
import { cachedContentFromRow, cachedContentToParams, type CachedContentRow } from '../cached-content-rows.js';

export function createSqliteCachedContentRepository(db: Database): CachedContentRepository {
  const insert = db.prepare(`INSERT OR IGNORE INTO cached_contents (tenant_id, id, model, display_name, prefix_json,
    total_token_count, create_time_ms, update_time_ms, expire_time_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const get = db.prepare<[string, string], CachedContentRow>('SELECT * FROM cached_contents WHERE tenant_id = ? AND id = ?');
  const listFirst = db.prepare<[string, number], CachedContentRow>(
    'SELECT * FROM cached_contents WHERE tenant_id = ? ORDER BY create_time_ms DESC, id DESC LIMIT ?',
  );
  const listAfter = db.prepare<[string, number, number, string, number], CachedContentRow>(
    `SELECT * FROM cached_contents WHERE tenant_id = ?
       AND (create_time_ms < ? OR (create_time_ms = ? AND id < ?))
     ORDER BY create_time_ms DESC, id DESC LIMIT ?`,
  );
  const updateExpiry = db.prepare<[number, number, string, string], CachedContentRow>(
    'UPDATE cached_contents SET expire_time_ms = ?, update_time_ms = ? WHERE tenant_id = ? AND id = ? RETURNING *',
  );
  const remove = db.prepare<[string, string], CachedContentRow>('DELETE FROM cached_contents WHERE tenant_id = ? AND id = ? RETURNING *');
  const removeExpired = db.prepare<[number, number]>(
    `DELETE FROM cached_contents WHERE (tenant_id, id) IN
       (SELECT tenant_id, id FROM cached_contents WHERE expire_time_ms <= ? LIMIT ?)`,
  );

  return {
    insert: async (record) => insert.run(...cachedContentToParams(record)).changes === 1,
    get: async (tenantId, id) => {
      const row = get.get(tenantId, id);
      return row && cachedContentFromRow(row);
    },
    list: async (tenantId, { limit, after }) => {
      const rows = after ? listAfter.all(tenantId, after.createTimeMs, after.createTimeMs, after.id, limit) : listFirst.all(tenantId, limit);
      return rows.map(cachedContentFromRow);
    },
    updateExpiry: async (tenantId, id, expireTimeMs, nowMs) => {
      const row = updateExpiry.get(expireTimeMs, nowMs, tenantId, id);
      return row && cachedContentFromRow(row);
    },
    delete: async (tenantId, id) => {
      const row = remove.get(tenantId, id);
      return row && cachedContentFromRow(row);
    },
    deleteExpired: async (nowMs, limit) => removeExpired.run(nowMs, limit).changes,
  };
}

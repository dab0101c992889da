/** CachedContentRepository on PostgreSQL: one row per cache, the prefix as JSON text; lists page by keyset, newest first. */
import type { Pool } from 'pg';
import type { CachedContentRepository } from '../cached-content-repository.js';
import { cachedContentFromRow, cachedContentToParams, type CachedContentRow } from '../cached-content-rows.js';

const INSERT_SQL = `INSERT INTO cached_contents (tenant_id, id, model, display_name, prefix_json,
  total_token_count, create_time_ms, update_time_ms, expire_time_ms)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`;

export function createPostgresCachedContentRepository(pool: Pool): CachedContentRepository {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await pool.query<CachedContentRow>(sql, params);
    return rows[0] && cachedContentFromRow(rows[0]);
  };
  return {
    insert: async (record) => (await pool.query(INSERT_SQL, cachedContentToParams(record))).rowCount === 1,
    get: async (tenantId, id) => one('SELECT * FROM cached_contents WHERE tenant_id = $1 AND id = $2', [tenantId, id]),
    list: async (tenantId, { limit, after }) => {
      const { rows } = after
        ? await pool.query<CachedContentRow>(
          `SELECT * FROM cached_contents WHERE tenant_id = $1
             AND (create_time_ms < $2 OR (create_time_ms = $2 AND id < $3))
           ORDER BY create_time_ms DESC, id DESC LIMIT $4`,
          [tenantId, after.createTimeMs, after.id, limit],
        )
        : await pool.query<CachedContentRow>(
          'SELECT * FROM cached_contents WHERE tenant_id = $1 ORDER BY create_time_ms DESC, id DESC LIMIT $2', [tenantId, limit],
        );
      return rows.map(cachedContentFromRow);
    },
    updateExpiry: async (tenantId, id, expireTimeMs, nowMs) =>
      one('UPDATE cached_contents SET expire_time_ms = $1, update_time_ms = $2 WHERE tenant_id = $3 AND id = $4 RETURNING *', [expireTimeMs, nowMs, tenantId, id]),
    delete: async (tenantId, id) => one('DELETE FROM cached_contents WHERE tenant_id = $1 AND id = $2 RETURNING *', [tenantId, id]),
    deleteExpired: async (nowMs, limit) =>
      (await pool.query(
        `DELETE FROM cached_contents WHERE (tenant_id, id) IN
           (SELECT tenant_id, id FROM cached_contents WHERE expire_time_ms <= $1 LIMIT $2)`,
        [nowMs, limit],
      )).rowCount ?? 0,
  };
}

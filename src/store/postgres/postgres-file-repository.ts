/** FileRepository on PostgreSQL. Lists page by keyset, newest first or (`ascending`) oldest first. */
import type { Pool } from 'pg';
import type { FileRecord } from '../../core/file.js';
import type { FileRepository, ListOptions } from '../store.js';
import { lockFileId, withTransaction, type Queryable } from './transaction.js';
import type { Admission } from '../../core/quota.js';
import { lockTenantQuota, readTenantUsage } from './postgres-tenant-usage.js';
import { fileFromRow, fileToParams, type FileRow } from '../row-mapping.js';

/** Inserts a file unless the tenant has one with that id (SQLite's INSERT OR IGNORE). */
export const INSERT_FILE_SQL = `INSERT INTO files (tenant_id, id, display_name, mime_type, size_bytes,
  sha256_hex, state, source, blob_key, create_time_ms, update_time_ms, expiration_time_ms)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`;

/** Inserts `file`; resolves whether a row was inserted. */
export async function insertFile(client: Queryable, file: FileRecord): Promise<boolean> {
  return (await client.query(INSERT_FILE_SQL, fileToParams(file))).rowCount === 1;
}

/**
 * Runs `insert` in a transaction that holds the lock on the tenant's file id, unless `takenSql`
 * (given the tenant and the file id) finds a row of the other table that reserves the id;
 * resolves what `insert` resolves, or false when the id is taken.
 */
export async function insertIfFileIdFree(
  pool: Pool,
  tenantId: string,
  fileId: string,
  takenSql: string,
  insert: (client: Queryable) => Promise<boolean>,
  admit?: Admission,
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    if (admit) await lockTenantQuota(client, tenantId);
    await lockFileId(client, tenantId, fileId);
    const taken = await client.query(takenSql, [tenantId, fileId]);
    if (taken.rowCount !== 0) return false;
    if (admit) admit(await readTenantUsage(client, tenantId));
    return insert(client);
  });
}

export function createPostgresFileRepository(pool: Pool): FileRepository {
  return {
    insert: async (file, admit) =>
      insertIfFileIdFree(pool, file.tenantId, file.id, 'SELECT 1 FROM upload_sessions WHERE tenant_id = $1 AND file_id = $2', (client) => insertFile(client, file), admit),
    get: async (tenantId, id) => {
      const { rows } = await pool.query<FileRow>('SELECT * FROM files WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return rows[0] && fileFromRow(rows[0]);
    },
    list: async (tenantId, { limit, after, ascending }: ListOptions) => {
      const [order, beyond] = ascending ? ['create_time_ms, id', '>'] : ['create_time_ms DESC, id DESC', '<'];
      const { rows } = after
        ? await pool.query<FileRow>(
          `SELECT * FROM files WHERE tenant_id = $1
             AND (create_time_ms ${beyond} $2 OR (create_time_ms = $2 AND id ${beyond} $3))
           ORDER BY ${order} LIMIT $4`,
          [tenantId, after.createTimeMs, after.id, limit],
        )
        : await pool.query<FileRow>(`SELECT * FROM files WHERE tenant_id = $1 ORDER BY ${order} LIMIT $2`, [tenantId, limit]);
      return rows.map(fileFromRow);
    },
    delete: async (tenantId, id) => {
      const { rows } = await pool.query<FileRow>('DELETE FROM files WHERE tenant_id = $1 AND id = $2 RETURNING *', [tenantId, id]);
      return rows[0] && fileFromRow(rows[0]);
    },
    listExpired: async (nowMs, limit) =>
      (await pool.query<FileRow>('SELECT * FROM files WHERE expiration_time_ms <= $1 ORDER BY expiration_time_ms LIMIT $2', [nowMs, limit]))
        .rows.map(fileFromRow),
  };
}

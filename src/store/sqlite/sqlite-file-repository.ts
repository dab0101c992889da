/**
 * FileRepository on SQLite. Rows are snake_case; they become camelCase records only here. Lists
 * page by keyset, newest first or (`ascending`) oldest first, on the same index.
 */
import type { Database } from 'better-sqlite3';
import type { FileRepository, ListOptions } from '../store.js';
import type { FileRecord } from '../../core/file.js';
import { fileFromRow, fileToParams, type FileRow } from '../row-mapping.js';
import type { Admission } from '../../core/quota.js';
import { createSqliteTenantUsage } from './sqlite-tenant-usage.js';

export const INSERT_FILE_SQL = `INSERT OR IGNORE INTO files (tenant_id, id, display_name, mime_type, size_bytes,
  sha256_hex, state, source, blob_key, create_time_ms, update_time_ms, expiration_time_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function createSqliteFileRepository(db: Database): FileRepository {
  const insert = db.prepare(INSERT_FILE_SQL);
  const get = db.prepare<[string, string], FileRow>('SELECT * FROM files WHERE tenant_id = ? AND id = ?');
  const listFirst = db.prepare<[string, number], FileRow>(
    'SELECT * FROM files WHERE tenant_id = ? ORDER BY create_time_ms DESC, id DESC LIMIT ?',
  );
  const listAfter = db.prepare<[string, number, number, string, number], FileRow>(
    `SELECT * FROM files WHERE tenant_id = ?
       AND (create_time_ms < ? OR (create_time_ms = ? AND id < ?))
     ORDER BY create_time_ms DESC, id DESC LIMIT ?`,
  );
  const listFirstAscending = db.prepare<[string, number], FileRow>(
    'SELECT * FROM files WHERE tenant_id = ? ORDER BY create_time_ms, id LIMIT ?',
  );
  const listAfterAscending = db.prepare<[string, number, number, string, number], FileRow>(
    `SELECT * FROM files WHERE tenant_id = ?
       AND (create_time_ms > ? OR (create_time_ms = ? AND id > ?))
     ORDER BY create_time_ms, id LIMIT ?`,
  );
  const remove = db.prepare<[string, string], FileRow>('DELETE FROM files WHERE tenant_id = ? AND id = ? RETURNING *');
  const expired = db.prepare<[number, number], FileRow>(
    'SELECT * FROM files WHERE expiration_time_ms <= ? ORDER BY expiration_time_ms LIMIT ?',
  );
  const uploadWithFileId = db.prepare('SELECT 1 FROM upload_sessions WHERE tenant_id = ? AND file_id = ?');
  const usage = createSqliteTenantUsage(db);
  const insertIfFree = db.transaction((file: FileRecord, admit: Admission | undefined): boolean => {
    if (uploadWithFileId.get(file.tenantId, file.id) !== undefined) return false;
    admit?.(usage(file.tenantId));
    return insert.run(...fileToParams(file)).changes === 1;
  });

  return {
    insert: async (file, admit) => insertIfFree.immediate(file, admit),
    get: async (tenantId, id) => {
      const row = get.get(tenantId, id);
      return row && fileFromRow(row);
    },
    list: async (tenantId, { limit, after, ascending }: ListOptions) => {
      const [first, next] = ascending ? [listFirstAscending, listAfterAscending] : [listFirst, listAfter];
      const rows = after ? next.all(tenantId, after.createTimeMs, after.createTimeMs, after.id, limit) : first.all(tenantId, limit);
      return rows.map(fileFromRow);
    },
    delete: async (tenantId, id) => {
      const row = remove.get(tenantId, id);
      return row && fileFromRow(row);
    },
    listExpired: async (nowMs, limit) => expired.all(nowMs, limit).map(fileFromRow),
  };
}

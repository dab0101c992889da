/** UploadSessionRepository on SQLite. */
import type { Database } from 'better-sqlite3';
import type { FileRecord } from '../../core/file.js';
import type { UploadSession } from '../../core/upload-session.js';
import { sessionFromRow, type UploadRow } from '../row-mapping.js';
import type { UploadSessionRepository } from '../store.js';
import { fileToParams } from '../row-mapping.js';
import { INSERT_FILE_SQL } from './sqlite-file-repository.js';
import type { Admission } from '../../core/quota.js';
import { createSqliteTenantUsage } from './sqlite-tenant-usage.js';

export function createSqliteUploadRepository(db: Database): UploadSessionRepository {
  const insert = db.prepare(`INSERT OR IGNORE INTO upload_sessions (upload_id, tenant_id, file_id, display_name,
    mime_type, declared_size_bytes, received_bytes, staging_key, create_time_ms, update_time_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const fileExists = db.prepare('SELECT 1 FROM files WHERE tenant_id = ? AND id = ?');
  const get = db.prepare<[string], UploadRow>('SELECT * FROM upload_sessions WHERE upload_id = ?');
  const advance = db.prepare(
    'UPDATE upload_sessions SET received_bytes = ?, update_time_ms = ? WHERE upload_id = ? AND received_bytes = ?',
  );
  const remove = db.prepare<[string], UploadRow>('DELETE FROM upload_sessions WHERE upload_id = ? RETURNING *');
  const insertFile = db.prepare(INSERT_FILE_SQL);
  const stale = db.prepare<[number, number], UploadRow>(
    'SELECT * FROM upload_sessions WHERE update_time_ms < ? ORDER BY update_time_ms LIMIT ?',
  );

  const insertIfFree = db.transaction((session: UploadSession): boolean => {
    if (fileExists.get(session.tenantId, session.fileId) !== undefined) return false;
    return insert.run(
      session.uploadId, session.tenantId, session.fileId, session.displayName, session.mimeType,
      session.declaredSizeBytes ?? null, session.receivedBytes, session.stagingKey,
      session.createTimeMs, session.updateTimeMs,
    ).changes === 1;
  });
  const usage = createSqliteTenantUsage(db);
  const complete = db.transaction((uploadId: string, file: FileRecord, admit: Admission | undefined): boolean => {
    if (remove.get(uploadId) === undefined) return false;
    admit?.(usage(file.tenantId));
    if (insertFile.run(...fileToParams(file)).changes !== 1) throw new FileIdTaken();
    return true;
  });

  return {
    insert: async (session) => insertIfFree.immediate(session),
    get: async (uploadId) => {
      const row = get.get(uploadId);
      return row && sessionFromRow(row);
    },
    advance: async (uploadId, expectedBytes, receivedBytes, nowMs) =>
      advance.run(receivedBytes, nowMs, uploadId, expectedBytes).changes === 1,
    complete: async (uploadId, file, admit) => {
      try {
        return complete.immediate(uploadId, file, admit);
      } catch (error) {
        if (error instanceof FileIdTaken) return false;
        throw error;
      }
    },
    delete: async (uploadId) => {
      const row = remove.get(uploadId);
      return row && sessionFromRow(row);
    },
    listStale: async (beforeMs, limit) => stale.all(beforeMs, limit).map(sessionFromRow),
  };
}

/** Rolls the completing transaction back when the file id was taken meanwhile. */
class FileIdTaken extends Error {}

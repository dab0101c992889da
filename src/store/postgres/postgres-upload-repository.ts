/** UploadSessionRepository on PostgreSQL. */
import type { Pool } from 'pg';
import { sessionFromRow, type UploadRow } from '../row-mapping.js';
import type { UploadSessionRepository } from '../store.js';
import { insertFile, insertIfFileIdFree } from './postgres-file-repository.js';
import { lockFileId, withTransaction } from './transaction.js';
import { lockTenantQuota, readTenantUsage } from './postgres-tenant-usage.js';

/** Rolls the completing transaction back when the file id was taken meanwhile. */
class FileIdTaken extends Error {}

export function createPostgresUploadRepository(pool: Pool): UploadSessionRepository {
  return {
    insert: async (session) =>
      insertIfFileIdFree(pool, session.tenantId, session.fileId, 'SELECT 1 FROM files WHERE tenant_id = $1 AND id = $2', async (client) => {
        const inserted = await client.query(
          `INSERT INTO upload_sessions (upload_id, tenant_id, file_id, display_name, mime_type, declared_size_bytes,
             received_bytes, staging_key, create_time_ms, update_time_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [session.uploadId, session.tenantId, session.fileId, session.displayName, session.mimeType,
            session.declaredSizeBytes ?? null, session.receivedBytes, session.stagingKey, session.createTimeMs, session.updateTimeMs],
        );
        return inserted.rowCount === 1;
      }),
    get: async (uploadId) => {
      const { rows } = await pool.query<UploadRow>('SELECT * FROM upload_sessions WHERE upload_id = $1', [uploadId]);
      return rows[0] && sessionFromRow(rows[0]);
    },
    advance: async (uploadId, expectedBytes, receivedBytes, nowMs) =>
      (await pool.query(
        'UPDATE upload_sessions SET received_bytes = $1, update_time_ms = $2 WHERE upload_id = $3 AND received_bytes = $4',
        [receivedBytes, nowMs, uploadId, expectedBytes],
      )).rowCount === 1,
    complete: async (uploadId, file, admit) => {
      try {
        return await withTransaction(pool, async (client) => {
          if (admit) await lockTenantQuota(client, file.tenantId);
          await lockFileId(client, file.tenantId, file.id);
          const removed = await client.query('DELETE FROM upload_sessions WHERE upload_id = $1', [uploadId]);
          if (removed.rowCount !== 1) return false;
          if (admit) admit(await readTenantUsage(client, file.tenantId));
          if (!(await insertFile(client, file))) throw new FileIdTaken();
          return true;
        });
      } catch (error) {
        if (error instanceof FileIdTaken) return false;
        throw error;
      }
    },
    delete: async (uploadId) => {
      const { rows } = await pool.query<UploadRow>('DELETE FROM upload_sessions WHERE upload_id = $1 RETURNING *', [uploadId]);
      return rows[0] && sessionFromRow(rows[0]);
    },
    listStale: async (beforeMs, limit) =>
      (await pool.query<UploadRow>('SELECT * FROM upload_sessions WHERE update_time_ms < $1 ORDER BY update_time_ms LIMIT $2', [beforeMs, limit]))
        .rows.map(sessionFromRow),
  };
}

/**
 * Reading and removing files: get, list (keyset paging), delete, download, and the retention
 * sweep that removes expired files and abandoned uploads. Every call is scoped to a tenant; a
 * file of another tenant is indistinguishable from a missing one.
 */
import type { Readable } from 'node:stream';
import { permissionDenied } from '../core/errors.js';
import { fileAccessDeniedMessage, type FileRecord } from '../core/file.js';
import type { ByteRange } from '../store/blob-store.js';
import type { ListCursor } from '../store/store.js';
import type { FileServiceDeps } from './file-deps.js';

export interface FilePage {
  files: FileRecord[];
  /** Present only when another page may follow. */
  next?: ListCursor;
}

export interface FileService {
  get(tenantId: string, fileId: string): Promise<FileRecord>;
  list(tenantId: string, pageSize: number, after?: ListCursor): Promise<FilePage>;
  delete(tenantId: string, fileId: string): Promise<void>;
  /** Opens the file's bytes (or a range of them) for streaming. */
  openContent(file: FileRecord, range?: ByteRange): Promise<Readable>;
  /** Removes expired files and uploads idle since `idleBeforeMs`; resolves how many went. */
  sweep(idleBeforeMs: number): Promise<{ files: number; uploads: number }>;
}

/** Gemini's answer for a missing or foreign file (403, so that ids cannot be probed). */
export const fileNotFound = (fileId: string): Error =>
  permissionDenied(fileAccessDeniedMessage(fileId));

const SWEEP_BATCH = 500;

export function createFileService(deps: FileServiceDeps): FileService {
  const { store, blobs, clock, logger } = deps;

  const get = async (tenantId: string, fileId: string): Promise<FileRecord> => {
    const file = await store.files.get(tenantId, fileId);
    if (!file || file.expirationTimeMs <= clock.now()) throw fileNotFound(fileId);
    return file;
  };

  return {
    get,

    async list(tenantId, pageSize, after) {
      // One extra row tells whether another page exists, so the last page has no token.
      const rows = await store.files.list(tenantId, { limit: pageSize + 1, ...(after ? { after } : {}) });
      const now = clock.now();
      const page = rows.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        files: page.filter((file) => file.expirationTimeMs > now),
        ...(rows.length > pageSize && last ? { next: { createTimeMs: last.createTimeMs, id: last.id } } : {}),
      };
    },

    async delete(tenantId, fileId) {
      const removed = await store.files.delete(tenantId, fileId);
      if (!removed) throw fileNotFound(fileId);
      await blobs.delete(removed.blobKey);
    },

    openContent: (file, range) => blobs.read(file.blobKey, range),

    async sweep(idleBeforeMs) {
      let files = 0;
      let uploads = 0;
      for (const file of await store.files.listExpired(clock.now(), SWEEP_BATCH)) {
        if (await store.files.delete(file.tenantId, file.id)) {
          await blobs.delete(file.blobKey);
          files++;
        }
      }
      for (const session of await store.uploads.listStale(idleBeforeMs, SWEEP_BATCH)) {
        if (await store.uploads.delete(session.uploadId)) {
          deps.uploadState?.forget(session.uploadId);
          await blobs.delete(session.stagingKey);
          uploads++;
        }
      }
      // Also the in-memory state of uploads idle as long that this sweep did not remove (another process's sweep did).
      deps.uploadState?.sweep(idleBeforeMs);
      if (files + uploads > 0) logger.info('swept expired files and idle uploads', { files, uploads });
      return { files, uploads };
    },
  };
}

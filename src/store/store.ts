/**
 * The durability port. Everything batchmode must not lose goes through a Store; the embedded
 * default implements it on SQLite (store/sqlite), the scale-out mode on PostgreSQL. Both run
 * the one behavioural suite in store/store.contract.ts. Methods are async so that a networked
 * implementation fits the same shape.
 */
import type { FileRecord } from '../core/file.js';
import type { UploadSession } from '../core/upload-session.js';

/** Keyset position in a list ordered newest first: the last item of the previous page. */
export interface ListCursor {
  createTimeMs: number;
  id: string;
}

export interface ListOptions {
  limit: number;
  after?: ListCursor;
}

export interface FileRepository {
  /** Inserts a new file; resolves false when the tenant already has a file with that id. */
  insert(file: FileRecord): Promise<boolean>;
  get(tenantId: string, id: string): Promise<FileRecord | undefined>;
  /** Newest first, then by id; `after` continues after that item. */
  list(tenantId: string, options: ListOptions): Promise<FileRecord[]>;
  /** Removes the record and returns it (the caller deletes its blob), or undefined if absent. */
  delete(tenantId: string, id: string): Promise<FileRecord | undefined>;
  /** Files whose expiration time has passed, oldest first (for the retention sweeper). */
  listExpired(nowMs: number, limit: number): Promise<FileRecord[]>;
}

export interface UploadSessionRepository {
  /** Inserts a session; resolves false when the tenant already has a file or upload with its file id. */
  insert(session: UploadSession): Promise<boolean>;
  get(uploadId: string): Promise<UploadSession | undefined>;
  /**
   * Moves the received-bytes counter from `expectedBytes` to `receivedBytes` (compare-and-set:
   * two chunks racing for the same offset cannot both win). Resolves whether it moved.
   */
  advance(uploadId: string, expectedBytes: number, receivedBytes: number, nowMs: number): Promise<boolean>;
  /**
   * Atomically turns a session into its file: inserts `file` and removes the session.
   * Resolves false (and changes nothing) when the session is gone or the file id is taken.
   */
  complete(uploadId: string, file: FileRecord): Promise<boolean>;
  delete(uploadId: string): Promise<UploadSession | undefined>;
  /** Sessions not touched since `beforeMs` (abandoned uploads to clean up). */
  listStale(beforeMs: number, limit: number): Promise<UploadSession[]>;
}

export interface Store {
  readonly files: FileRepository;
  readonly uploads: UploadSessionRepository;
  /** Whether the store answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

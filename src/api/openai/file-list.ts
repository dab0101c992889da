/**
 * `GET /files` on the OpenAI surface: a tenant's files newest first (or oldest first with
 * `order=asc`), after the file whose id is `after`, optionally only those of one `purpose`
 * (as file-object.ts derives it). Reads the store's keyset pages directly, skipping expired
 * files and files of another purpose, until the page is full or the files run out.
 */
import type { FileRecord } from '../../core/file.js';
import type { Clock } from '../../lib/clock.js';
import type { FileRepository, ListCursor } from '../../store/store.js';
import { purposeOf, type StoredPurpose } from './wire/file-object.js';

export interface FileListQuery {
  tenantId: string;
  limit: number;
  ascending: boolean;
  /** Continue after this file (its creation time and id). */
  after: ListCursor | undefined;
  /** Only files reporting this purpose. */
  purpose: string | undefined;
}

export interface FileListDeps {
  files: Pick<FileRepository, 'list'>;
  clock: Clock;
}

/** Rows read per store call: enough for a page and the look-ahead that tells whether more follow. */
const MIN_CHUNK = 100;
const STORED_PURPOSES: readonly string[] = ['batch', 'batch_output'] satisfies StoredPurpose[];

export async function listFilesPage(deps: FileListDeps, query: FileListQuery): Promise<{ files: FileRecord[]; hasMore: boolean }> {
  // Every file reports 'batch' or 'batch_output': any other purpose lists nothing.
  if (query.purpose !== undefined && !STORED_PURPOSES.includes(query.purpose)) return { files: [], hasMore: false };
  const chunk = Math.max(MIN_CHUNK, query.limit + 1);
  const wanted = (file: FileRecord, now: number): boolean =>
    file.expirationTimeMs > now && (query.purpose === undefined || purposeOf(file) === query.purpose);
  const found: FileRecord[] = [];
  let after = query.after;
  for (;;) {
    const rows = await deps.files.list(query.tenantId, { limit: chunk, ascending: query.ascending, ...(after ? { after } : {}) });
    const now = deps.clock.now();
    for (const row of rows) {
      if (!wanted(row, now)) continue;
      found.push(row);
      if (found.length > query.limit) return { files: found.slice(0, query.limit), hasMore: true };
    }
    const last = rows[rows.length - 1];
    if (rows.length < chunk || !last) return { files: found, hasMore: false };
    after = { createTimeMs: last.createTimeMs, id: last.id };
  }
}

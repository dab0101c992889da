/**
 * Uploads: Gemini's resumable protocol (start → chunks at offsets → finalize, plus query and
 * cancel) and one-shot uploads (multipart or raw). Bytes stream through a ByteMeter into the
 * blob store, so the SHA-256 is computed on the way in and memory stays flat whatever the size.
 *
 * A resumable upload keeps its running hash in memory between chunks (upload-state.ts, shared
 * with the retention sweep). When that state is missing (another process, a restart, a chunk
 * that failed half-way, an entry evicted or swept), it is rebuilt by reading the staged bytes
 * back once: slower, never wrong.
 */
import { createHash, type Hash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { fileKey, stagingKey } from '../core/blob-keys.js';
import { AppError, invalidArgument, notFound } from '../core/errors.js';
import { MAX_DISPLAY_NAME_LENGTH, parseClientFileId, type FileRecord } from '../core/file.js';
import { UPLOAD_ID_LENGTH, type UploadSession } from '../core/upload-session.js';
import { ByteMeter, TooManyBytesError } from '../lib/byte-meter.js';
import { FILE_ID_LENGTH, type FileServiceDeps } from './file-deps.js';
import { createUploadQuota } from './upload-quota.js';
import { createUploadState } from './upload-state.js';

export interface NewFileMetadata {
  tenantId: string;
  /** `files/<id>` or `<id>` chosen by the client, if any. */
  requestedName?: string | undefined;
  displayName?: string | undefined;
  mimeType?: string | undefined;
  /** The size the client announced, if it did. */
  declaredSizeBytes?: number | undefined;
}

export type ChunkResult =
  | { status: 'active'; receivedBytes: number }
  | { status: 'final'; file: FileRecord };

export interface UploadService {
  /** Opens a resumable upload; the returned session's id is the chunk URL's credential. */
  start(metadata: NewFileMetadata): Promise<UploadSession>;
  /** Appends one chunk at `offset`; with `finalize` the upload becomes a file. */
  appendChunk(uploadId: string, chunk: { offset: number; body: Readable; finalize: boolean }): Promise<ChunkResult>;
  /** Finalizes without new bytes (`x-goog-upload-command: finalize` alone). */
  finalize(uploadId: string): Promise<FileRecord>;
  query(uploadId: string): Promise<UploadSession>;
  cancel(uploadId: string): Promise<void>;
  /** A one-shot upload (multipart or raw): the whole body is the file. */
  uploadWhole(metadata: NewFileMetadata, body: Readable): Promise<FileRecord>;
}

const DEFAULT_MIME_TYPE = 'application/octet-stream';

export function createUploadService(deps: FileServiceDeps): UploadService {
  const { store, blobs, clock, randomId, maxUploadBytes } = deps;
  const state = deps.uploadState ?? createUploadState(clock);
  const quota = createUploadQuota(store, deps.quotas);

  const checkMetadata = (metadata: NewFileMetadata): { fileId: string; displayName: string; mimeType: string } => {
    const declared = metadata.declaredSizeBytes;
    if (declared !== undefined && declared > maxUploadBytes) {
      throw invalidArgument(
        `File size ${declared} bytes exceeds the maximum of ${maxUploadBytes} bytes (${formatBytes(maxUploadBytes)}) per file.`,
      );
    }
    const displayName = metadata.displayName ?? '';
    if (displayName.length > MAX_DISPLAY_NAME_LENGTH) {
      throw invalidArgument(`displayName is ${displayName.length} characters long; the maximum is ${MAX_DISPLAY_NAME_LENGTH}.`);
    }
    const fileId = metadata.requestedName ? parseClientFileId(metadata.requestedName) : randomId(FILE_ID_LENGTH);
    return { fileId, displayName, mimeType: metadata.mimeType || DEFAULT_MIME_TYPE };
  };

  const newFile = (tenantId: string, fileId: string, fields: Pick<FileRecord, 'displayName' | 'mimeType' | 'sizeBytes' | 'sha256Hex' | 'blobKey'>): FileRecord => {
    const now = clock.now();
    return {
      id: fileId, tenantId, state: 'ACTIVE', source: 'UPLOADED',
      createTimeMs: now, updateTimeMs: now, expirationTimeMs: now + deps.fileRetentionMs, ...fields,
    };
  };

  const alreadyExists = (fileId: string): AppError =>
    new AppError('ALREADY_EXISTS', `A file named files/${fileId} already exists.`);

  const loadSession = async (uploadId: string): Promise<UploadSession> => {
    const session = await store.uploads.get(uploadId);
    if (!session) throw notFound('No upload with this id is in progress: it finished, was cancelled, or expired.');
    return session;
  };

  /** The running hash of the staged bytes (now the caller's), rebuilt from the blob store when not held here. */
  const hashOf = async (session: UploadSession): Promise<Hash> => {
    const held = state.take(session.uploadId, session.receivedBytes);
    if (held) return held;
    const hash = createHash('sha256');
    if (session.receivedBytes > 0) {
      const staged = await blobs.read(session.stagingKey, { start: 0, end: session.receivedBytes - 1 });
      for await (const part of staged) hash.update(part as Buffer);
    }
    return hash;
  };

  const complete = async (session: UploadSession, hash: Hash, sizeBytes: number): Promise<FileRecord> => {
    if (session.declaredSizeBytes !== undefined && session.declaredSizeBytes !== sizeBytes) {
      throw invalidArgument(
        `Upload finalized with ${sizeBytes} bytes, but ${session.declaredSizeBytes} were declared at start (X-Goog-Upload-Header-Content-Length).`,
      );
    }
    // The staged blob becomes the file's blob: one transaction, no copy, nothing to lose in between.
    const file = newFile(session.tenantId, session.fileId, {
      displayName: session.displayName, mimeType: session.mimeType, sizeBytes,
      sha256Hex: hash.digest('hex'), blobKey: session.stagingKey,
    });
    let completed: boolean;
    try {
      completed = await store.uploads.complete(session.uploadId, file, quota.admission(session.tenantId, sizeBytes));
    } catch (error) {
      if (error instanceof AppError && error.status === 'RESOURCE_EXHAUSTED') await discard(session);
      throw error;
    }
    if (!completed) throw alreadyExists(session.fileId);
    return file;
  };

  /** A refused upload leaves nothing: its session, running hash and staged bytes go. */
  const discard = async (session: UploadSession): Promise<void> => {
    await store.uploads.delete(session.uploadId);
    state.forget(session.uploadId);
    await blobs.delete(session.stagingKey);
  };

  /** Chunks of one upload never interleave (in this process; the store's advance guards the rest). */
  const exclusively = <T>(uploadId: string, body: () => Promise<T>): Promise<T> => state.exclusively(uploadId, body);

  const appendChunk: UploadService['appendChunk'] = (uploadId, chunk) =>
    exclusively(uploadId, async () => {
      const session = await loadSession(uploadId);
      const received = session.receivedBytes;
      if (chunk.offset > received) {
        throw invalidArgument(`Upload offset ${chunk.offset} is past the ${received} bytes received so far; resume at offset ${received}.`, {
          headers: { 'x-goog-upload-size-received': String(received) },
        });
      }
      const staged = (await blobs.size(session.stagingKey)) ?? 0;
      if (staged > received) await blobs.truncate(session.stagingKey, received);
      const hash = await hashOf(session);
      const budget = await quota.budget(session.tenantId, session.declaredSizeBytes ?? maxUploadBytes);
      const limit = budget.maxBytes - received;
      // A chunk sent again (its answer was lost) overlaps what we have: drop the overlap.
      const meter = new ByteMeter({ hash, maxBytes: Math.max(0, limit), skipBytes: received - chunk.offset });
      try {
        await blobs.append(session.stagingKey, pipeline(chunk.body, meter, () => undefined));
      } catch (error) {
        await blobs.truncate(session.stagingKey, received).catch(() => undefined);
        if (error instanceof TooManyBytesError && budget.overQuota) {
          await discard(session);
          throw budget.overQuota();
        }
        if (error instanceof TooManyBytesError) {
          throw invalidArgument(
            session.declaredSizeBytes === undefined
              ? `Upload exceeds the maximum of ${maxUploadBytes} bytes per file.`
              : `Upload exceeds the ${session.declaredSizeBytes} bytes declared at start.`,
          );
        }
        throw error;
      }
      const total = received + meter.bytes;
      if (!(await store.uploads.advance(uploadId, received, total, clock.now()))) {
        throw new AppError('ABORTED', 'The upload changed while this chunk was written; query its status and resume.');
      }
      if (meter.bytes > 0) deps.events?.uploadBytes({ tenantId: session.tenantId, bytes: meter.bytes });
      if (chunk.finalize) return { status: 'final', file: await complete({ ...session, receivedBytes: total }, hash, total) };
      state.hold(uploadId, hash, total);
      return { status: 'active', receivedBytes: total };
    });

  return {
    async start(metadata) {
      const { fileId, displayName, mimeType } = checkMetadata(metadata);
      await quota.admitDeclared(metadata.tenantId, metadata.declaredSizeBytes);
      const now = clock.now();
      const uploadId = randomId(UPLOAD_ID_LENGTH);
      const session: UploadSession = {
        uploadId, tenantId: metadata.tenantId, fileId, displayName, mimeType,
        declaredSizeBytes: metadata.declaredSizeBytes, receivedBytes: 0,
        stagingKey: stagingKey(uploadId), createTimeMs: now, updateTimeMs: now,
      };
      if (!(await store.uploads.insert(session))) throw alreadyExists(fileId);
      return session;
    },

    appendChunk,

    finalize: (uploadId) =>
      exclusively(uploadId, async () => {
        const session = await loadSession(uploadId);
        return complete(session, await hashOf(session), session.receivedBytes);
      }),

    query: loadSession,

    async cancel(uploadId) {
      const session = await store.uploads.delete(uploadId);
      if (!session) throw notFound('No upload with this id is in progress: it finished, was cancelled, or expired.');
      state.forget(uploadId);
      await blobs.delete(session.stagingKey);
    },

    async uploadWhole(metadata, body) {
      const { fileId, displayName, mimeType } = checkMetadata(metadata);
      await quota.admitDeclared(metadata.tenantId, metadata.declaredSizeBytes);
      const hash = createHash('sha256');
      const blobKey = fileKey(metadata.tenantId, fileId, randomId(8));
      const limit = metadata.declaredSizeBytes ?? maxUploadBytes;
      const budget = await quota.budget(metadata.tenantId, limit);
      const meter = new ByteMeter({ hash, maxBytes: budget.maxBytes });
      try {
        await blobs.append(blobKey, pipeline(body, meter, () => undefined));
      } catch (error) {
        await blobs.delete(blobKey);
        if (error instanceof TooManyBytesError && budget.overQuota) throw budget.overQuota();
        if (error instanceof TooManyBytesError) throw invalidArgument(`Upload exceeds ${limit} bytes (the declared size or the per-file maximum).`);
        throw error;
      }
      const file = newFile(metadata.tenantId, fileId, {
        displayName, mimeType, sizeBytes: meter.bytes, sha256Hex: hash.digest('hex'), blobKey,
      });
      let inserted: boolean;
      try {
        inserted = await store.files.insert(file, quota.admission(metadata.tenantId, file.sizeBytes));
      } catch (error) {
        await blobs.delete(blobKey);
        throw error;
      }
      if (!inserted) {
        await blobs.delete(blobKey);
        throw alreadyExists(fileId);
      }
      deps.events?.uploadBytes({ tenantId: metadata.tenantId, bytes: meter.bytes });
      return file;
    },
  };
}

function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${Number(gib.toFixed(2))} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

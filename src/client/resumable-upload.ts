/**
 * A file upload over the resumable protocol the SDKs use (`x-goog-upload-protocol: resumable`),
 * streamed from disk in 8 MiB chunks so memory stays flat for any size, that survives a flaky
 * link: a start that fails transiently is tried again, and after a chunk fails transiently the
 * client asks the server how much it has (`x-goog-upload-command: query`, answered by
 * `x-goog-upload-size-received`) and goes on from there. If the answer to the last chunk is lost
 * after the server finished the file (the upload is then gone), the new file is found in the
 * file list by its name, size and SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ApiError, connectionError } from './api-error.js';
import type { Transport } from './http-transport.js';
import { retryStreak, withRetries, type RetryStreak } from './retrying-call.js';
import type { FileResource } from './wire-types.js';

/** The @google/genai SDK's chunk size. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

export interface UploadOptions {
  displayName?: string;
  mimeType?: string;
  /** Called after every chunk with the bytes the server has. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/** Where an upload stands on the server: bytes received, the finished file, or gone (finished or expired). */
type UploadStatus = { received: number } | { file: FileResource } | 'gone';

export async function uploadResumable(transport: Transport, path: string, upload: UploadOptions = {}, chunkBytes = UPLOAD_CHUNK_BYTES): Promise<FileResource> {
  const size = (await stat(path)).size;
  const displayName = upload.displayName ?? basename(path);
  const signal = upload.signal ? { signal: upload.signal } : {};
  const uploadUrl = await withRetries('upload start', transport.policy, async () => {
    const started = await transport.send('upload start', '/upload/v1beta/files', {
      method: 'POST',
      headers: {
        'content-type': 'application/json', 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': String(size),
        ...(upload.mimeType ? { 'x-goog-upload-header-content-type': upload.mimeType } : {}),
      },
      body: JSON.stringify({ file: { displayName, ...(upload.mimeType ? { mimeType: upload.mimeType } : {}) } }),
      ...signal,
    });
    await started.body?.cancel();
    const url = started.headers.get('x-goog-upload-url');
    if (!url) throw new ApiError('upload start: the server sent no x-goog-upload-url', started.status, undefined);
    return url;
  }, upload.signal);

  /** Asks the server how far it got, retrying while that fails too. */
  const where = async (streak: RetryStreak): Promise<UploadStatus> => {
    for (;;) {
      try {
        const answer = await transport.send('upload query', uploadUrl, { method: 'POST', headers: { 'x-goog-upload-command': 'query' }, ...signal });
        if (answer.headers.get('x-goog-upload-status') === 'final') return { file: await fileOf(transport, 'upload query', answer) };
        await answer.body?.cancel();
        const received = Number(answer.headers.get('x-goog-upload-size-received'));
        if (!Number.isSafeInteger(received) || received < 0 || received > size) {
          throw new ApiError(`upload query: the server reported ${String(answer.headers.get('x-goog-upload-size-received'))} bytes received`, answer.status, undefined);
        }
        return { received };
      } catch (error) {
        if (error instanceof ApiError && error.httpStatus === 404) return 'gone';
        await streak.failed(error, upload.signal);
      }
    }
  };

  const handle = await open(path, 'r');
  try {
    const streak = retryStreak('upload', transport.policy);
    const buffer = Buffer.alloc(Math.min(chunkBytes, Math.max(size, 1)));
    let offset = 0;
    let lastSent = false;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - offset), offset);
      const isLast = offset + bytesRead >= size;
      try {
        lastSent ||= isLast;
        const response = await transport.send(`upload chunk at ${offset}`, uploadUrl, {
          method: 'POST',
          headers: { 'x-goog-upload-offset': String(offset), 'x-goog-upload-command': isLast ? 'upload, finalize' : 'upload' },
          body: buffer.subarray(0, bytesRead),
          ...signal,
        });
        if (isLast) {
          const file = await fileOf(transport, `upload chunk at ${offset}`, response);
          upload.onProgress?.(size, size);
          return file;
        }
        await response.body?.cancel();
        offset += bytesRead;
        streak.succeeded();
        upload.onProgress?.(offset, size);
      } catch (error) {
        await streak.failed(error, upload.signal);
        const status = await where(streak);
        if (status === 'gone') {
          if (lastSent) return await findFinished(transport, path, displayName, size, error);
          throw new ApiError('upload: the server no longer knows this upload (it was cancelled or expired); upload the file again', 404, 'NOT_FOUND');
        }
        if ('file' in status) return status.file;
        offset = status.received;
        upload.onProgress?.(offset, size);
      }
    }
  } finally {
    await handle.close();
  }
}

/** The `{file}` of a final answer (a body cut short is a transient failure). */
async function fileOf(transport: Transport, what: string, response: Response): Promise<FileResource> {
  try {
    return ((await response.json()) as { file: FileResource }).file;
  } catch (error) {
    throw connectionError(what, transport.baseUrl, error, 'body');
  }
}

/**
 * The file the server made of this upload, when the answer to its last chunk was lost: among
 * the newest files, the one with this display name, size and content hash.
 */
async function findFinished(transport: Transport, path: string, displayName: string, size: number, lost: unknown): Promise<FileResource> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256Hash = Buffer.from(hash.digest('hex')).toString('base64');
  const page = await transport.retried<{ files?: FileResource[] }>('files.list', '/v1beta/files?pageSize=100');
  const found = (page.files ?? []).find((file) =>
    file.displayName === displayName && Number(file.sizeBytes ?? -1) === size && (file.sha256Hash === undefined || file.sha256Hash === sha256Hash));
  if (found) return found;
  throw lost instanceof ApiError ? lost : new ApiError(`upload: the answer to the last chunk was lost and no finished file was found (${String(lost)})`, 0, undefined);
}

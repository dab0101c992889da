/**
 * Resolves `fileData.fileUri` parts for backends that need the bytes (an OpenAI-compatible
 * server cannot fetch from the Files API): the uri (`files/<id>`, or any URL ending in
 * `files/<id>`) is looked up among the calling tenant's files only, and the file is read into
 * memory, up to a bound that fits an image or document part.
 */
import { BackendError } from '../backends/backend.js';
import { fileAccessDeniedMessage, fileIdFromReference } from '../core/file.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';

/** Largest file sent inline to a backend (Gemini's inline-data limit is 20 MB). */
const MAX_RESOLVED_BYTES = 20 * 1024 * 1024;

export type FileResolver = (fileUri: string, signal: AbortSignal) => Promise<{ mimeType: string; data: Buffer }>;

export function createFileResolver(store: Store, blobs: BlobStore, tenantId: string, nowMs: () => number): FileResolver {
  return async (fileUri, signal) => {
    const id = fileIdFromReference(fileUri);
    const file = await store.files.get(tenantId, id);
    if (!file || file.expirationTimeMs <= nowMs()) {
      throw new BackendError(fileAccessDeniedMessage(id), { status: 'PERMISSION_DENIED', retryable: false });
    }
    if (file.sizeBytes > MAX_RESOLVED_BYTES) {
      throw new BackendError(`File ${id} is ${file.sizeBytes} bytes; at most ${MAX_RESOLVED_BYTES} can be sent to this backend.`, { status: 'INVALID_ARGUMENT', retryable: false });
    }
    const parts: Buffer[] = [];
    for await (const part of await blobs.read(file.blobKey)) {
      signal.throwIfAborted();
      parts.push(part as Buffer);
    }
    return { mimeType: file.mimeType, data: Buffer.concat(parts) };
  };
}

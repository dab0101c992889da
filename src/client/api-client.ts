/**
 * A client of the Gemini Batch Mode REST surface, as the command line uses it. It speaks only
 * the public wire protocol (the SDK's resumable upload, batches, files, models), so it works
 * against batchmode and, unchanged, against generativelanguage.googleapis.com. Uploads stream
 * from disk in 8 MiB chunks and downloads stream to disk: memory stays flat for any size.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiError, apiErrorOf } from './api-error.js';
import type { BatchOperation, FileResource, ModelResource, QuotaView } from './wire-types.js';

/** The @google/genai SDK's chunk size. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:8080` or `https://generativelanguage.googleapis.com`. */
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

export interface UploadOptions {
  displayName?: string;
  mimeType?: string;
  /** Called after every chunk with the bytes sent so far. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

export interface ApiClient {
  readonly baseUrl: string;
  uploadFile(path: string, options?: UploadOptions): Promise<FileResource>;
  getFile(name: string): Promise<FileResource>;
  listFiles(pageSize?: number, pageToken?: string): Promise<Page<FileResource>>;
  deleteFile(name: string): Promise<void>;
  /** Streams a file's bytes into `path`; resolves the bytes written. */
  downloadFile(name: string, path: string, onProgress?: (bytes: number) => void): Promise<number>;
  /** Streams a file's bytes into an open stream (stdout), left open; resolves the bytes written. */
  downloadFileTo(name: string, destination: NodeJS.WritableStream): Promise<number>;
  createBatch(model: string, input: { fileName: string } | { requests: unknown[] }, options?: { displayName?: string }): Promise<BatchOperation>;
  getBatch(name: string): Promise<BatchOperation>;
  listBatches(pageSize?: number, pageToken?: string): Promise<Page<BatchOperation>>;
  cancelBatch(name: string): Promise<void>;
  deleteBatch(name: string): Promise<void>;
  listModels(pageSize?: number, pageToken?: string): Promise<Page<ModelResource>>;
  /** The caller's quotas and use (`GET /v1beta/quota`, a batchmode extension; not on Google's endpoint). */
  getQuota(): Promise<QuotaView>;
}

/** `files/abc`, `abc` → `files/abc`; the same for batches. */
export const resourceName = (collection: 'files' | 'batches', name: string): string =>
  name.startsWith(`${collection}/`) ? name : `${collection}/${name}`;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const headers = { 'x-goog-api-key': options.apiKey };

  const call = async (what: string, url: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiError(`${what}: cannot reach ${baseUrl} (${cause})`, 0, undefined);
    }
    if (!response.ok) throw await apiErrorOf(response, what);
    return response;
  };
  const json = async <T>(what: string, path: string, init: RequestInit = {}): Promise<T> =>
    (await (await call(what, `${baseUrl}${path}`, init)).json()) as T;
  /** The bytes of a file, as a stream. */
  const openDownload = async (name: string): Promise<Readable> => {
    const response = await call('files.download', `${baseUrl}/download/v1beta/${resourceName('files', name)}:download?alt=media`);
    if (!response.body) throw new ApiError('files.download: empty response', response.status, undefined);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  };
  const query = (pageSize?: number, pageToken?: string): string => {
    const params = new URLSearchParams();
    if (pageSize !== undefined) params.set('pageSize', String(pageSize));
    if (pageToken) params.set('pageToken', pageToken);
    const text = params.toString();
    return text ? `?${text}` : '';
  };

  return {
    baseUrl,

    async uploadFile(path, upload = {}) {
      const size = (await stat(path)).size;
      const displayName = upload.displayName ?? basename(path);
      const started = await call('upload start', `${baseUrl}/upload/v1beta/files`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start',
          'x-goog-upload-header-content-length': String(size),
          ...(upload.mimeType ? { 'x-goog-upload-header-content-type': upload.mimeType } : {}),
        },
        body: JSON.stringify({ file: { displayName, ...(upload.mimeType ? { mimeType: upload.mimeType } : {}) } }),
        ...(upload.signal ? { signal: upload.signal } : {}),
      });
      const uploadUrl = started.headers.get('x-goog-upload-url');
      if (!uploadUrl) throw new ApiError('upload start: the server sent no x-goog-upload-url', started.status, undefined);
      const handle = await open(path, 'r');
      try {
        let offset = 0;
        const buffer = Buffer.alloc(Math.min(UPLOAD_CHUNK_BYTES, Math.max(size, 1)));
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          const isLast = offset + bytesRead >= size;
          const response = await call(`upload chunk at ${offset}`, uploadUrl, {
            method: 'POST',
            headers: { 'x-goog-upload-offset': String(offset), 'x-goog-upload-command': isLast ? 'upload, finalize' : 'upload' },
            body: buffer.subarray(0, bytesRead),
            ...(upload.signal ? { signal: upload.signal } : {}),
          });
          offset += bytesRead;
          upload.onProgress?.(offset, size);
          if (isLast) return ((await response.json()) as { file: FileResource }).file;
        }
      } finally {
        await handle.close();
      }
    },

    getFile: (name) => json('files.get', `/v1beta/${resourceName('files', name)}`),

    async listFiles(pageSize, pageToken) {
      const page = await json<{ files?: FileResource[]; nextPageToken?: string }>('files.list', `/v1beta/files${query(pageSize, pageToken)}`);
      return { items: page.files ?? [], nextPageToken: page.nextPageToken || undefined };
    },

    async deleteFile(name) {
      await call('files.delete', `${baseUrl}/v1beta/${resourceName('files', name)}`, { method: 'DELETE' });
    },

    async downloadFile(name, path, onProgress) {
      const body = await openDownload(name);
      let bytes = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          onProgress?.(bytes);
          done(null, chunk);
        },
      });
      await pipeline(body, meter, createWriteStream(path));
      return bytes;
    },

    async downloadFileTo(name, destination) {
      let bytes = 0;
      for await (const chunk of await openDownload(name)) {
        const buffer = chunk as Buffer;
        bytes += buffer.length;
        if (!destination.write(buffer)) await once(destination, 'drain');
      }
      return bytes;
    },

    createBatch: (model, input, batchOptions = {}) =>
      json('batches.create', `/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:batchGenerateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          batch: {
            ...(batchOptions.displayName ? { displayName: batchOptions.displayName } : {}),
            inputConfig: 'fileName' in input ? { fileName: input.fileName } : { requests: { requests: input.requests } },
          },
        }),
      }),

    getBatch: (name) => json('batches.get', `/v1beta/${resourceName('batches', name)}`),

    async listBatches(pageSize, pageToken) {
      const page = await json<{ operations?: BatchOperation[]; batches?: BatchOperation[]; nextPageToken?: string }>(
        'batches.list', `/v1beta/batches${query(pageSize, pageToken)}`,
      );
      return { items: page.operations ?? page.batches ?? [], nextPageToken: page.nextPageToken || undefined };
    },

    async cancelBatch(name) {
      await call('batches.cancel', `${baseUrl}/v1beta/${resourceName('batches', name)}:cancel`, { method: 'POST' });
    },

    async deleteBatch(name) {
      await call('batches.delete', `${baseUrl}/v1beta/${resourceName('batches', name)}`, { method: 'DELETE' });
    },

    async listModels(pageSize, pageToken) {
      const page = await json<{ models?: ModelResource[]; nextPageToken?: string }>('models.list', `/v1beta/models${query(pageSize, pageToken)}`);
      return { items: page.models ?? [], nextPageToken: page.nextPageToken || undefined };
    },

    getQuota: () => json<QuotaView>('quota.get', '/v1beta/quota'),
  };
}

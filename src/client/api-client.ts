/**
 * A client of the Gemini Batch Mode REST surface, as the command line uses it. It speaks only
 * the public wire protocol (the SDK's resumable upload, batches, files, models) plus batchmode's
 * documented extensions (`:progress`, `:results`, `?validateOnly=true`, quota), so it works
 * against batchmode and, for the standard calls, against generativelanguage.googleapis.com.
 * Uploads stream from disk in 8 MiB chunks and downloads stream to disk: memory stays flat for
 * any size. It is made for long jobs on poor links: reads, downloads and uploads go on through
 * transient failures (retrying-call.ts), resuming where they stopped.
 */
import { createBatch, getProgress, updateBatch, validateBatch, type BatchInput, type BatchKind, type CreateBatchOptions } from './batch-calls.js';
import { downloadToPath, downloadToStream, resourceName } from './file-download.js';
import { createTransport } from './http-transport.js';
import { uploadResumable, type UploadOptions } from './resumable-upload.js';
import { streamResultLines } from './results-stream.js';
import { DEFAULT_RETRY_FOR_MS, type RetryNotice } from './retrying-call.js';
import type { BatchOperation, BatchProgress, BatchValidation, FileResource, ModelResource, QuotaView } from './wire-types.js';

export { resourceName } from './file-download.js';
export { UPLOAD_CHUNK_BYTES, type UploadOptions } from './resumable-upload.js';
export type { RetryNotice } from './retrying-call.js';
export type { BatchInput, BatchKind, CreateBatchOptions } from './batch-calls.js';
export type { BatchProgress, BatchValidation } from './wire-types.js';

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:8080` or `https://generativelanguage.googleapis.com`. */
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  /**
   * Transient failures (connection errors, 408, 429, 500, 502, 503, 504) of idempotent calls are
   * retried with back-off (0.5 s doubling to 30 s, ± jitter, Retry-After honoured) for up to this
   * long without a success; default 15 minutes; 0 = no retries.
   */
  retryForMs?: number;
  /** Told before each retry (the CLI prints a one-line notice on stderr). */
  onRetry?: (notice: RetryNotice) => void;
  /** The first pause of the back-off (default 500 ms; tests shorten it). It doubles up to `maxRetryDelayMs` (default 30 s). */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** A resumable upload; after a failed chunk it asks the server where it is and goes on from there. */
  uploadFile(path: string, options?: UploadOptions): Promise<FileResource>;
  getFile(name: string): Promise<FileResource>;
  listFiles(pageSize?: number, pageToken?: string): Promise<Page<FileResource>>;
  deleteFile(name: string): Promise<void>;
  /** Streams a file's bytes into `path` (resuming or restarting after a failure); resolves the bytes in the file. */
  downloadFile(name: string, path: string, onProgress?: (bytes: number) => void): Promise<number>;
  /** Streams a file's bytes into an open stream (stdout), left open; restarts only while nothing was written; resolves the bytes written. */
  downloadFileTo(name: string, destination: NodeJS.WritableStream): Promise<number>;
  /** Retried on transient failures only when `options.idempotencyKey` is set. */
  createBatch(model: string, input: BatchInput, options?: CreateBatchOptions): Promise<BatchOperation>;
  /** `?validateOnly=true`: a 400 with the line errors rejects with ApiError (its message the server's, one `Error on line N: …` a line). */
  validateBatch(model: string, input: BatchInput, options?: { kind?: BatchKind }): Promise<BatchValidation>;
  getBatch(name: string): Promise<BatchOperation>;
  /** `:progress` (batchmode extension): counts, rate, ETA, pending reason, queue position. */
  getProgress(name: string): Promise<BatchProgress>;
  /** Result lines (no trailing newline) from `:results`; `follow` streams until the batch ends. Reconnects after a break, skipping lines already given. */
  streamResults(name: string, options?: { follow?: boolean; signal?: AbortSignal }): AsyncIterable<string>;
  updateBatch(name: string, kind: BatchKind, fields: { priority: number }): Promise<void>;
  listBatches(pageSize?: number, pageToken?: string): Promise<Page<BatchOperation>>;
  cancelBatch(name: string): Promise<void>;
  deleteBatch(name: string): Promise<void>;
  listModels(pageSize?: number, pageToken?: string): Promise<Page<ModelResource>>;
  /** The caller's quotas and use (`GET /v1beta/quota`, a batchmode extension; not on Google's endpoint). */
  getQuota(): Promise<QuotaView>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const transport = createTransport({
    baseUrl: options.baseUrl, apiKey: options.apiKey, fetch: options.fetch,
    policy: {
      retryForMs: options.retryForMs ?? DEFAULT_RETRY_FOR_MS, onRetry: options.onRetry,
      initialDelayMs: options.initialRetryDelayMs, maxDelayMs: options.maxRetryDelayMs,
    },
  });
  const query = (pageSize?: number, pageToken?: string): string => {
    const params = new URLSearchParams();
    if (pageSize !== undefined) params.set('pageSize', String(pageSize));
    if (pageToken) params.set('pageToken', pageToken);
    const text = params.toString();
    return text ? `?${text}` : '';
  };

  return {
    baseUrl: transport.baseUrl,

    uploadFile: (path, upload = {}) => uploadResumable(transport, path, upload),

    getFile: (name) => transport.retried('files.get', `/v1beta/${resourceName('files', name)}`),

    async listFiles(pageSize, pageToken) {
      const page = await transport.retried<{ files?: FileResource[]; nextPageToken?: string }>('files.list', `/v1beta/files${query(pageSize, pageToken)}`);
      return { items: page.files ?? [], nextPageToken: page.nextPageToken || undefined };
    },

    async deleteFile(name) {
      await transport.json('files.delete', `/v1beta/${resourceName('files', name)}`, { method: 'DELETE' });
    },

    downloadFile: (name, path, onProgress) => downloadToPath(transport, name, path, onProgress),

    downloadFileTo: (name, destination) => downloadToStream(transport, name, destination),

    createBatch: (model, input, batchOptions = {}) => createBatch(transport, model, input, batchOptions),

    validateBatch: (model, input, validateOptions = {}) => validateBatch(transport, model, input, validateOptions.kind),

    getBatch: (name) => transport.retried('batches.get', `/v1beta/${resourceName('batches', name)}`),

    getProgress: (name) => getProgress(transport, name),

    streamResults: (name, streamOptions = {}) => streamResultLines(transport, name, streamOptions),

    updateBatch: (name, kind, fields) => updateBatch(transport, name, kind, fields),

    async listBatches(pageSize, pageToken) {
      const page = await transport.retried<{ operations?: BatchOperation[]; batches?: BatchOperation[]; nextPageToken?: string }>(
        'batches.list', `/v1beta/batches${query(pageSize, pageToken)}`,
      );
      return { items: page.operations ?? page.batches ?? [], nextPageToken: page.nextPageToken || undefined };
    },

    async cancelBatch(name) {
      // Cancelling a cancelled batch answers 200: safe to try again.
      await transport.retried('batches.cancel', `/v1beta/${resourceName('batches', name)}:cancel`, { method: 'POST' });
    },

    async deleteBatch(name) {
      await transport.json('batches.delete', `/v1beta/${resourceName('batches', name)}`, { method: 'DELETE' });
    },

    async listModels(pageSize, pageToken) {
      const page = await transport.retried<{ models?: ModelResource[]; nextPageToken?: string }>('models.list', `/v1beta/models${query(pageSize, pageToken)}`);
      return { items: page.models ?? [], nextPageToken: page.nextPageToken || undefined };
    },

    getQuota: () => transport.retried<QuotaView>('quota.get', '/v1beta/quota'),
  };
}

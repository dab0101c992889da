/**
 * The few calls the benchmarks make, over plain HTTP with `fetch` (as @google/genai does):
 * resumable uploads in 8 MiB chunks read from disk one at a time (the SDK's
 * `uploadFileFromPathInternal`), batch create, get and polling, file delete.
 */
import { open } from 'node:fs/promises';

/** The SDK's chunk size (MAX_CHUNK_SIZE in @google/genai). */
export const SDK_CHUNK_BYTES = 8 * 1024 * 1024;
export const BENCH_MODEL = 'gemini-2.5-flash';

export interface BatchOperation {
  name: string;
  done?: boolean;
  metadata: {
    state: string;
    batchStats?: { requestCount?: string; successfulRequestCount?: string; failedRequestCount?: string; pendingRequestCount?: string };
    output?: { responsesFile?: string; inlinedResponses?: { inlinedResponses?: unknown[] } };
  };
  error?: unknown;
}

export interface UploadedFile {
  name: string;
  sizeBytes: number;
}

/** What polling saw: when each state was first observed (performance.now() ms). */
export interface BatchWait {
  operation: BatchOperation;
  firstSeenMs: Record<string, number>;
  doneMs: number;
  polls: number;
}

export interface WaitOptions {
  /** Pause between polls. */
  intervalMs: number;
  timeoutMs: number;
  /** Called after every poll (progress, memory sampling). */
  onPoll?: (operation: BatchOperation) => void;
}

export interface ApiClient {
  uploadResumable(path: string, options?: { displayName?: string; chunkBytes?: number; onChunk?: (sentBytes: number) => void }): Promise<UploadedFile>;
  createFileBatch(fileName: string, displayName?: string): Promise<BatchOperation>;
  createInlineBatch(requests: readonly unknown[], displayName?: string): Promise<BatchOperation>;
  getBatch(name: string): Promise<BatchOperation>;
  waitForBatch(name: string, options: WaitOptions): Promise<BatchWait>;
  deleteFile(name: string): Promise<void>;
}

export function createApiClient(baseUrl: string, apiKey: string): ApiClient {
  const auth = { 'x-goog-api-key': apiKey };

  const json = async <T>(response: Response, what: string): Promise<T> => {
    const text = await response.text();
    if (!response.ok) throw new Error(`${what}: HTTP ${response.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text) as T;
  };

  const createBatch = async (batch: Record<string, unknown>): Promise<BatchOperation> => {
    const response = await fetch(`${baseUrl}/v1beta/models/${BENCH_MODEL}:batchGenerateContent`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    return json<BatchOperation>(response, 'create batch');
  };

  const getBatch = async (name: string): Promise<BatchOperation> =>
    json<BatchOperation>(await fetch(`${baseUrl}/v1beta/${name}`, { headers: auth }), `get ${name}`);

  return {
    async uploadResumable(path, options = {}) {
      const chunkBytes = options.chunkBytes ?? SDK_CHUNK_BYTES;
      const handle = await open(path, 'r');
      try {
        const sizeBytes = (await handle.stat()).size;
        const start = await fetch(`${baseUrl}/upload/v1beta/files`, {
          method: 'POST',
          headers: {
            ...auth,
            'content-type': 'application/json',
            'x-goog-upload-protocol': 'resumable',
            'x-goog-upload-command': 'start',
            'x-goog-upload-header-content-length': String(sizeBytes),
            'x-goog-upload-header-content-type': 'application/jsonl',
          },
          body: JSON.stringify({ file: { displayName: options.displayName ?? 'bench' } }),
        });
        const startText = await start.text();
        if (!start.ok) throw new Error(`upload start: HTTP ${start.status}: ${startText.slice(0, 2000)}`);
        const uploadUrl = start.headers.get('x-goog-upload-url');
        if (!uploadUrl) throw new Error('upload start: no x-goog-upload-url header');
        let offset = 0;
        for (;;) {
          const length = Math.min(chunkBytes, sizeBytes - offset);
          const isLast = offset + length >= sizeBytes;
          // A fresh buffer per chunk, as the SDK allocates one per chunk.
          const chunk = new Uint8Array(length);
          const { bytesRead } = await handle.read(chunk, 0, length, offset);
          if (bytesRead !== length) throw new Error(`short read at ${offset}: ${bytesRead} of ${length} bytes`);
          const reply = await fetch(uploadUrl, {
            method: 'POST',
            headers: { 'x-goog-upload-command': isLast ? 'upload, finalize' : 'upload', 'x-goog-upload-offset': String(offset) },
            body: chunk,
          });
          offset += length;
          options.onChunk?.(offset);
          if (isLast) {
            const { file } = await json<{ file: { name: string; sizeBytes: string } }>(reply, 'upload finalize');
            if (Number(file.sizeBytes) !== sizeBytes) throw new Error(`uploaded ${file.sizeBytes} bytes, expected ${sizeBytes}`);
            return { name: file.name, sizeBytes };
          }
          if (!reply.ok || reply.headers.get('x-goog-upload-status') !== 'active') {
            throw new Error(`upload chunk at ${offset - length}: HTTP ${reply.status}: ${(await reply.text()).slice(0, 2000)}`);
          }
          await reply.arrayBuffer();
        }
      } finally {
        await handle.close();
      }
    },

    createFileBatch: (fileName, displayName = 'bench') => createBatch({ displayName, inputConfig: { fileName } }),

    createInlineBatch: (requests, displayName = 'bench-inline') =>
      createBatch({ displayName, inputConfig: { requests: { requests } } }),

    getBatch,

    async waitForBatch(name, options) {
      const deadline = performance.now() + options.timeoutMs;
      const firstSeenMs: Record<string, number> = {};
      for (let polls = 1; ; polls++) {
        const operation = await getBatch(name);
        const now = performance.now();
        firstSeenMs[operation.metadata.state] ??= now;
        options.onPoll?.(operation);
        if (operation.done === true) return { operation, firstSeenMs, doneMs: now, polls };
        if (now > deadline) throw new Error(`${name} not done after ${options.timeoutMs} ms: ${JSON.stringify(operation.metadata)}`);
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      }
    },

    async deleteFile(name) {
      const response = await fetch(`${baseUrl}/v1beta/${name}`, { method: 'DELETE', headers: auth });
      await json<unknown>(response, `delete ${name}`);
    },
  };
}

/** Throws unless the batch succeeded with every request successful. */
export function expectAllSucceeded(operation: BatchOperation, requestCount: number): void {
  const stats = operation.metadata.batchStats ?? {};
  if (operation.metadata.state !== 'BATCH_STATE_SUCCEEDED' || Number(stats.successfulRequestCount) !== requestCount) {
    throw new Error(`batch ${operation.name} ended ${operation.metadata.state} with stats ${JSON.stringify(stats)}; expected ${requestCount} successful`);
  }
}

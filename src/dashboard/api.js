/**
 * The dashboard's calls to the batchmode REST API (docs/wire-contract.md), and nothing else:
 * every call carries the signed-in key in the `x-goog-api-key` header, never in a URL, so every
 * answer is that tenant's data. URLs are relative to the page, so a server behind a path prefix
 * works. Downloads go through fetch + Blob + an object URL for the same reason.
 */

/** A google.rpc error answer (or a network failure, with `status` 0). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {string} rpcStatus google.rpc status name, e.g. NOT_FOUND
   * @param {string} message
   * @param {boolean} keyRejected the API key itself was refused
   */
  constructor(status, rpcStatus, message, keyRejected = false) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.rpcStatus = rpcStatus;
    this.keyRejected = keyRejected;
  }
}

/** @param {Response} response an answer that is not 2xx */
export async function apiErrorOf(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    return new ApiError(response.status, '', `HTTP ${response.status}`);
  }
  const error = body?.error ?? {};
  const details = Array.isArray(error.details) ? error.details : [];
  const keyRejected = details.some((detail) => detail?.reason === 'API_KEY_INVALID') || response.status === 401;
  return new ApiError(response.status, error.status ?? '', error.message ?? `HTTP ${response.status}`, keyRejected);
}

const BATCH_PAGE_SIZE = 25;
const FILE_PAGE_SIZE = 50;

/** The id after a resource prefix: `batches/abc` → `abc`. */
export const idOf = (name) => String(name ?? '').split('/').pop() ?? '';

const pageQuery = (size, token) => `pageSize=${size}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;

/**
 * @param {string} key the API key
 * @param {{ onKeyRejected?: (error: ApiError) => void }} [hooks] told when the server refuses the key
 */
export function createApi(key, hooks = {}) {
  const headers = (extra = {}) => ({ 'x-goog-api-key': key, ...extra });

  /** @returns {Promise<Response>} a 2xx answer; anything else is thrown as an ApiError */
  async function send(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'UNAVAILABLE', `The server does not answer (${error.message}).`);
    }
    if (response.ok) return response;
    const error = await apiErrorOf(response);
    if (error.keyRejected) hooks.onKeyRejected?.(error);
    throw error;
  }

  async function call(method, path, body) {
    const text = await (await send(method, path, body)).text();
    return text ? JSON.parse(text) : {};
  }

  /** Saves the answer to `path` as a file named `fileName` in the browser's downloads. */
  async function download(path, fileName) {
    const blob = await (await send('GET', path)).blob();
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /**
   * Reads a batch's result lines (`:results`, in completion order) as a stream and keeps those
   * `keep` accepts, stopping at `limit` kept lines: a large results file is not read whole to
   * show its first lines.
   * @returns {Promise<{ lines: object[], scanned: number, complete: boolean }>}
   */
  async function scanResults(batchId, keep, limit) {
    const response = await send('GET', `v1beta/batches/${encodeURIComponent(batchId)}:results`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const lines = [];
    let scanned = 0;
    let rest = '';
    const take = (text) => {
      if (text.trim() === '') return false;
      scanned++;
      const line = JSON.parse(text);
      if (keep(line)) lines.push(line);
      return lines.length >= limit;
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parts = (rest + value).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) {
        if (take(part)) {
          await reader.cancel();
          return { lines, scanned, complete: false };
        }
      }
    }
    take(rest);
    return { lines, scanned, complete: true };
  }

  const batchPath = (id) => `v1beta/batches/${encodeURIComponent(id)}`;
  return {
    key,
    headers,
    listBatches: (pageToken) => call('GET', `v1beta/batches?${pageQuery(BATCH_PAGE_SIZE, pageToken)}`),
    getBatch: (id) => call('GET', batchPath(id)),
    getProgress: (id) => call('GET', `${batchPath(id)}:progress`),
    cancelBatch: (id) => call('POST', `${batchPath(id)}:cancel`),
    deleteBatch: (id) => call('DELETE', batchPath(id)),
    /**
     * @param {string} model e.g. gemini-2.5-flash
     * @param {'generate' | 'embed'} kind
     */
    createBatch: (model, kind, displayName, fileName) => call(
      'POST',
      `v1beta/models/${encodeURIComponent(model)}:${kind === 'embed' ? 'asyncBatchEmbedContent' : 'batchGenerateContent'}`,
      { batch: { ...(displayName ? { displayName } : {}), inputConfig: { fileName } } },
    ),
    scanResults,
    listModels: () => call('GET', 'v1beta/models?pageSize=1000'),
    listFiles: (pageToken) => call('GET', `v1beta/files?${pageQuery(FILE_PAGE_SIZE, pageToken)}`),
    deleteFile: (id) => call('DELETE', `v1beta/files/${encodeURIComponent(id)}`),
    downloadFile: (id, fileName) => download(`download/v1beta/files/${encodeURIComponent(id)}:download?alt=media`, fileName),
    listWorkers: () => call('GET', 'v1beta/workers'),
    getQuota: () => call('GET', 'v1beta/quota'),
  };
}

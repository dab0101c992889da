/**
 * JSON over HTTP to one OpenAI-compatible server: one undici Pool for the base URL's origin
 * (keep-alive, up to `maxConnections` sockets), paths resolved under the base URL's path, its
 * query string (e.g. an Azure `api-version`) kept. Not fetch: fetch caps near 6k calls/s per
 * process, a Pool reaches ~50k/s (docs/stack-notes).
 *
 * `timeoutMs` bounds the wait for the response headers and every gap between body chunks
 * (undici's headersTimeout / bodyTimeout): a non-streaming server sends its headers when the
 * whole answer is ready, so that is the call's time limit without a timer per call.
 *
 * JSON calls go through `dispatch` with a handler of our own (json-call.ts: no response stream);
 * streaming calls and multipart uploads (an image route's `/images/edits`) through
 * `pool.request`. Every response body is consumed or destroyed, so sockets go back to the pool.
 */
import { Pool } from 'undici';
import type { BackendError } from '../backend.js';
import { cancelledError } from '../cancelled-error.js';
import { errorFromFailure, errorFromStatus } from './classify-error.js';
import { postJsonText } from './json-call.js';
import { encodeMultipart, type FormBody } from './multipart-form.js';
import { createSignalMirror } from './signal-mirror.js';
import { unexpectedBody } from './unexpected-body.js';

/** Settings of the HTTP client. */
export interface HttpClientOptions {
  /** The API root, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string | undefined;
  /** Extra request headers (they win over the defaults). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Most sockets open to the server at once. */
  maxConnections: number;
  /** Longest wait for headers and between body chunks, in milliseconds. */
  timeoutMs: number;
  /** Names the server in error messages. */
  serverLabel: string;
}

/** A client for one server. */
export interface HttpClient {
  /** POSTs `body` as JSON to `path` and returns the parsed JSON answer; throws BackendError otherwise. */
  postJson(path: string, body: unknown, signal: AbortSignal): Promise<unknown>;
  /** POSTs `body` as JSON to `path` and returns the answer's body stream (2xx only; throws BackendError otherwise). */
  postStream(path: string, body: unknown, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
  /** POSTs `form` as multipart/form-data to `path` and returns the parsed JSON answer; throws BackendError otherwise. */
  postForm(path: string, form: FormBody, signal: AbortSignal): Promise<unknown>;
  /** Waits for calls in flight, then closes every connection. */
  close(): Promise<void>;
}

type ResponseData = Awaited<ReturnType<Pool['request']>>;

/** Creates the client; throws RangeError for a base URL that is not http(s). */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`baseUrl must be an http(s) URL, got ${options.baseUrl}`);
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  const { serverLabel } = options;
  const pool = new Pool(url.origin, {
    connections: options.maxConnections,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  };
  const jsonHeaders = { ...baseHeaders, accept: 'application/json', ...options.headers };
  const formHeaders = (contentType: string): Record<string, string> => ({ ...jsonHeaders, 'content-type': contentType });
  const streamHeaders = { ...baseHeaders, accept: 'text/event-stream', ...options.headers };
  const jsonHeaderList = Object.entries(jsonHeaders).flat();
  const paths = new Map<string, string>();
  const mirror = createSignalMirror();

  /** `path` under the base URL's path, its query string kept. */
  function fullPathOf(path: string): string {
    let fullPath = paths.get(path);
    if (fullPath === undefined) {
      fullPath = `${pathPrefix}${path}${url.search}`;
      paths.set(path, fullPath);
    }
    return fullPath;
  }

  /** Sends a request whose answer is read as a stream (the caller maps its failures). */
  function dispatch(path: string, body: string | Buffer, signal: AbortSignal, headers: Record<string, string>): Promise<ResponseData> {
    return pool.request({ path: fullPathOf(path), method: 'POST', headers, body, signal: mirror(signal) });
  }

  /** The parsed JSON of a 2xx answer's text, or the backend error for one that is not JSON. */
  function parsed(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return unexpectedBody(serverLabel, `not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** The error for a non-2xx response, after reading its body. */
  async function errorOfResponse(response: ResponseData, signal: AbortSignal): Promise<BackendError> {
    let text = '';
    try {
      text = await response.body.text();
    } catch {
      if (signal.aborted) return cancelledError(signal);
    }
    return errorFromStatus(response.statusCode, response.headers, text, serverLabel);
  }

  return {
    async postJson(path, body, signal) {
      if (signal.aborted) throw cancelledError(signal);
      let text: string;
      try {
        const answer = await postJsonText(pool, fullPathOf(path), jsonHeaderList, JSON.stringify(body), signal);
        if (answer.statusCode < 200 || answer.statusCode >= 300) throw errorFromStatus(answer.statusCode, answer.headers, answer.text, serverLabel);
        text = answer.text;
      } catch (error) {
        throw errorFromFailure(error, signal, serverLabel);
      }
      return parsed(text);
    },
    async postStream(path, body, signal) {
      if (signal.aborted) throw cancelledError(signal);
      try {
        const response = await dispatch(path, JSON.stringify(body), signal, streamHeaders);
        if (response.statusCode < 200 || response.statusCode >= 300) throw await errorOfResponse(response, signal);
        return response.body;
      } catch (error) {
        throw errorFromFailure(error, signal, serverLabel);
      }
    },
    async postForm(path, form, signal) {
      if (signal.aborted) throw cancelledError(signal);
      const { body, contentType } = encodeMultipart(form);
      let text: string;
      try {
        const response = await dispatch(path, body, signal, formHeaders(contentType));
        if (response.statusCode < 200 || response.statusCode >= 300) throw await errorOfResponse(response, signal);
        text = await response.body.text();
      } catch (error) {
        throw errorFromFailure(error, signal, serverLabel);
      }
      return parsed(text);
    },
    async close() {
      await pool.close();
    },
  };
}

/**
 * The upstream Gemini backend: forwards each call to a Gemini API endpoint (Google's, or any
 * Gemini-compatible one such as another batchmode) over an undici Pool, preserving every request
 * field and every response field (bar `candidates[].continuationToken`, see upstream-response.ts).
 * The API key travels only in the `x-goog-api-key` header and is redacted from every message.
 * A request that named one of batchmode's caches is sent with an upstream copy of that cache
 * (upstream-caches.ts) rather than with the prefix written out.
 */
import { Pool } from 'undici';
import type {
  EmbedContentRequest,
  EmbedContentResponse,
  GenerateContentRequest,
  GenerateContentResponse,
} from '../../core/gemini-types.js';
import { modelIdOf } from '../../core/model-name.js';
import { readSseEvents } from '../../lib/sse.js';
import { BackendError, type CallOptions, type ModelBackend } from '../backend.js';
import { createCallScopes } from './call-scope.js';
import { cancelledError } from '../cancelled-error.js';
import {
  createRedact,
  errorFromHttpResponse,
  errorFromStreamEvent,
  errorFromTransport,
  malformedResponseError,
} from './upstream-error.js';
import { toEmbedContentResponse, toGenerateContentResponse, toTotalTokens } from './upstream-response.js';
import { createUpstreamCaches } from './upstream-caches.js';

/** Settings of the upstream Gemini backend. */
export interface GeminiBackendOptions {
  /** Upstream base URL; a path prefix is kept. Default `https://generativelanguage.googleapis.com`. */
  baseUrl?: string;
  /** API version path segment; default `v1beta`. */
  apiVersion?: string;
  /** Upstream API key, sent as `x-goog-api-key`; never logged or echoed. */
  apiKey: string;
  /** Upstream model id (`x` or `models/x`) used for every call; default: the call's model. */
  model?: string;
  /** Deadline of one call in milliseconds, streaming included; default 600000 (10 minutes). */
  timeoutMs?: number;
  /** Most connections open to the upstream at once; default 128. */
  maxConnections?: number;
  /** Extra request headers (e.g. for a proxy); they cannot replace `x-goog-api-key` or `content-type`. */
  headers?: Record<string, string>;
}

/** A Gemini backend owns a connection pool: close it on shutdown. */
export type GeminiBackend = ModelBackend & {
  /** Waits for calls in flight, then closes every connection. */
  close(): Promise<void>;
  /** Upstream caches this backend created (one per local cache and model, renewed as they lapse). */
  readonly upstreamCachesCreated: number;
};

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/** Request fields that change a prompt's token count beyond its `contents`. */
const COUNTED_CONTEXT_FIELDS = ['systemInstruction', 'tools', 'toolConfig', 'cachedContent'] as const;

/** The request as given, minus `model`: upstream takes the model from the path only. */
function withoutModel<T extends { model?: string }>(request: T): Omit<T, 'model'> {
  const { model: _model, ...rest } = request;
  return rest;
}

/** Creates the backend (id `gemini:<base URL>`). Throws RangeError/TypeError for bad options. */
export function createGeminiBackend(options: GeminiBackendOptions): GeminiBackend {
  const baseUrl = new URL(options.baseUrl ?? DEFAULT_BASE_URL);
  const apiVersion = (options.apiVersion ?? 'v1beta').replace(/^\/+|\/+$/g, '');
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxConnections = options.maxConnections ?? 128;
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new RangeError(`baseUrl must be http(s), got ${baseUrl.protocol}`);
  if (options.apiKey === '') throw new RangeError('apiKey must not be empty');
  if (apiVersion === '') throw new RangeError('apiVersion must not be empty');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a finite number > 0, got ${timeoutMs}`);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError(`maxConnections must be an integer >= 1, got ${maxConnections}`);

  const versionPrefix = `${baseUrl.pathname.replace(/\/+$/, '')}/${apiVersion}/`;
  const pathPrefix = `${versionPrefix}models/`;
  const redact = createRedact(options.apiKey);
  const openScope = createCallScopes();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['content-type'] = 'application/json';
  headers['x-goog-api-key'] = options.apiKey;
  // undici's own inactivity timeouts (300 s by default) must not cut a call before its deadline.
  const pool = new Pool(baseUrl.origin, { connections: maxConnections, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  const upstreamModel = (callOptions: CallOptions): string => modelIdOf(options.model ?? callOptions.model);
  const pathOf = (method: string, callOptions: CallOptions): string => `${pathPrefix}${encodeURIComponent(upstreamModel(callOptions))}:${method}`;

  /** POSTs `body` to `path` and resolves with the parsed 2xx JSON; every failure becomes a BackendError. */
  async function post(path: string, method: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) throw cancelledError(signal);
    const scope = openScope(signal, timeoutMs);
    try {
      const response = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(body), signal: scope.signal });
      const text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode > 299) throw errorFromHttpResponse(response.statusCode, response.headers, text, redact);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw malformedResponseError(method, text, redact);
      }
    } catch (error) {
      throw errorFromTransport(error, scope, timeoutMs, redact);
    } finally {
      scope.dispose();
    }
  }

  const call = (method: string, body: unknown, callOptions: CallOptions): Promise<unknown> => post(pathOf(method, callOptions), method, body, callOptions.signal);
  const caches = createUpstreamCaches((path, body, signal) => post(`${versionPrefix}${path}`, 'createCachedContent', body, signal), { timeoutMs });

  /**
   * The body to send: the request as given, or, when it named a local cache the upstream holds a
   * copy of, the client's own request naming that copy. `retry` runs `send` once more with a new
   * copy when the upstream no longer knows the one it was sent (it lapsed or was deleted there).
   */
  async function withUpstreamCache<T>(request: GenerateContentRequest, callOptions: CallOptions, send: (body: Omit<GenerateContentRequest, 'model'>) => Promise<T>): Promise<T> {
    const cache = callOptions.cache;
    if (!cache) return send(withoutModel(request));
    const model = upstreamModel(callOptions);
    const bodyNaming = async (): Promise<Omit<GenerateContentRequest, 'model'>> => {
      const name = await caches.nameFor(cache.record, model, callOptions.signal);
      return name === undefined ? withoutModel(request) : { ...withoutModel(cache.original), cachedContent: name };
    };
    try {
      return await send(await bodyNaming());
    } catch (error) {
      if (!(error instanceof BackendError) || (error.httpStatus !== 403 && error.httpStatus !== 404) || callOptions.signal.aborted) throw error;
      caches.forget(cache.record, model);
      return send(await bodyNaming());
    }
  }

  /** One streamed chunk → a response, or the BackendError an `{"error":…}` chunk carries. */
  function streamChunk(value: unknown): GenerateContentResponse {
    if (typeof value === 'object' && value !== null && 'error' in value) throw errorFromStreamEvent(value.error, redact);
    return toGenerateContentResponse(value, redact);
  }

  function parseEvent(data: string): unknown {
    try {
      return JSON.parse(data);
    } catch {
      throw malformedResponseError('streamGenerateContent', data, redact);
    }
  }

  return {
    id: `gemini:${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, '')}`,

    async generateContent(request: GenerateContentRequest, callOptions: CallOptions): Promise<GenerateContentResponse> {
      return toGenerateContentResponse(await withUpstreamCache(request, callOptions, (body) => call('generateContent', body, callOptions)), redact);
    },

    async *streamGenerateContent(request: GenerateContentRequest, callOptions: CallOptions): AsyncIterable<GenerateContentResponse> {
      if (callOptions.signal.aborted) throw cancelledError(callOptions.signal);
      const scope = openScope(callOptions.signal, timeoutMs);
      let body: Awaited<ReturnType<typeof pool.request>>['body'] | undefined;
      try {
        const path = `${pathOf('streamGenerateContent', callOptions)}?alt=sse`;
        const response = await withUpstreamCache(request, callOptions, async (sent) => {
          const answer = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(sent), signal: scope.signal });
          // A refused copy is retried with a new one; any other failure is the stream's error.
          if (answer.statusCode === 403 || answer.statusCode === 404) {
            throw errorFromHttpResponse(answer.statusCode, answer.headers, await answer.body.text(), redact);
          }
          return answer;
        });
        body = response.body;
        if (response.statusCode < 200 || response.statusCode > 299) {
          throw errorFromHttpResponse(response.statusCode, response.headers, await body.text(), redact);
        }
        if (!String(response.headers['content-type'] ?? '').includes('text/event-stream')) {
          // A front end that ignored `alt=sse` answers the whole stream as one JSON array.
          const parsed: unknown = await body.json();
          for (const item of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) yield streamChunk(item);
          return;
        }
        for await (const event of readSseEvents(body)) yield streamChunk(parseEvent(event.data));
      } catch (error) {
        throw errorFromTransport(error, scope, timeoutMs, redact);
      } finally {
        scope.dispose();
        // Stopped early (consumer broke off, or an error): drop the connection, not the pool.
        if (body !== undefined && !body.destroyed) body.destroy();
      }
    },

    async embedContent(request: EmbedContentRequest, callOptions: CallOptions): Promise<EmbedContentResponse> {
      return toEmbedContentResponse(await call('embedContent', withoutModel(request), callOptions), redact);
    },

    async countTokens(request: GenerateContentRequest, callOptions: CallOptions): Promise<number> {
      // `{contents}` counts the contents alone; the system instruction, tools and a cache count
      // only when sent as a whole GenerateContentRequest, which must then name its model.
      const counted = await withUpstreamCache(request, callOptions, (rest) => {
        const body = COUNTED_CONTEXT_FIELDS.some((field) => rest[field] !== undefined)
          ? { generateContentRequest: { model: `models/${upstreamModel(callOptions)}`, ...rest } }
          : { contents: rest.contents };
        return call('countTokens', body, callOptions);
      });
      return toTotalTokens(counted, redact);
    },

    async close(): Promise<void> {
      await pool.close();
    },

    get upstreamCachesCreated() {
      return caches.created;
    },
  };
}

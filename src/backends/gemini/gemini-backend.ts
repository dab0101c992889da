/**
 * The upstream Gemini backend: forwards each call to a Gemini API endpoint (Google's, or any
 * Gemini-compatible one such as another batchmode) over an undici Pool, preserving every request
 * field and every response field (bar `candidates[].continuationToken`, see upstream-response.ts).
 * The API key travels only in the `x-goog-api-key` header and is redacted from every message.
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
import type { CallOptions, ModelBackend } from '../backend.js';
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

  const pathPrefix = `${baseUrl.pathname.replace(/\/+$/, '')}/${apiVersion}/models/`;
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

  /** POSTs `body` and resolves with the parsed 2xx JSON; every failure becomes a BackendError. */
  async function call(method: string, body: unknown, callOptions: CallOptions): Promise<unknown> {
    if (callOptions.signal.aborted) throw cancelledError(callOptions.signal);
    const scope = openScope(callOptions.signal, timeoutMs);
    try {
      const response = await pool.request({ method: 'POST', path: pathOf(method, callOptions), headers, body: JSON.stringify(body), signal: scope.signal });
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
      return toGenerateContentResponse(await call('generateContent', withoutModel(request), callOptions), redact);
    },

    async *streamGenerateContent(request: GenerateContentRequest, callOptions: CallOptions): AsyncIterable<GenerateContentResponse> {
      if (callOptions.signal.aborted) throw cancelledError(callOptions.signal);
      const scope = openScope(callOptions.signal, timeoutMs);
      let body: Awaited<ReturnType<typeof pool.request>>['body'] | undefined;
      try {
        const path = `${pathOf('streamGenerateContent', callOptions)}?alt=sse`;
        const response = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(withoutModel(request)), signal: scope.signal });
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
      const rest = withoutModel(request);
      // `{contents}` counts the contents alone; the system instruction, tools and a cache count
      // only when sent as a whole GenerateContentRequest, which must then name its model.
      const body = COUNTED_CONTEXT_FIELDS.some((field) => rest[field] !== undefined)
        ? { generateContentRequest: { model: `models/${upstreamModel(callOptions)}`, ...rest } }
        : { contents: rest.contents };
      return toTotalTokens(await call('countTokens', body, callOptions), redact);
    },

    async close(): Promise<void> {
      await pool.close();
    },
  };
}

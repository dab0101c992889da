/**
 * The OpenAI-compatible model backend: runs Gemini generateContent / streamGenerateContent /
 * embedContent calls on any server speaking OpenAI's chat completions and embeddings API (vLLM,
 * SGLang, llama.cpp, Ollama, hosted providers).
 *
 * Each call: refuse what cannot be honoured (INVALID_ARGUMENT, before any network), resolve
 * `fileData` parts through the caller's resolver, translate (to-chat-request.ts), POST through
 * one keep-alive undici Pool (http-client.ts), check and translate the answer
 * (from-chat-response.ts, from-chat-stream.ts). Failures become BackendErrors whose status and
 * `retryable` decide retries (classify-error.ts). countTokens is not offered: the caller
 * estimates.
 */
import type {
  EmbedContentRequest,
  EmbedContentResponse,
  GenerateContentRequest,
  GenerateContentResponse,
} from '../../core/gemini-types.js';
import type { CallOptions, ModelBackend } from '../backend.js';
import { throwIfCancelled } from '../cancelled-error.js';
import { errorFromFailure } from './classify-error.js';
import { fromChatResponse } from './from-chat-response.js';
import { fromChatStream } from './from-chat-stream.js';
import { fromEmbeddingResponse } from './from-embedding-response.js';
import { createHttpClient } from './http-client.js';
import type { ChatStreamRequestBody } from '../../openai-compat/openai-wire-types.js';
import { parseChatResponse } from './parse-chat-response.js';
import { readSseEvents } from '../../lib/sse.js';
import { hasFileParts, NO_FILES, resolveFileParts, type ResolveFile } from './resolve-file-parts.js';
import { createImageRequests } from './image-generation.js';
import type { OpenAIImageOptions } from './image-options.js';
import { toChatRequest, type ChatRequest } from './to-chat-request.js';
import { toEmbeddingRequest } from './to-embedding-request.js';

/** Settings of the OpenAI-compatible backend. */
export interface OpenAIBackendOptions {
  /** The API root, e.g. `http://127.0.0.1:11434/v1` (Ollama) or `http://127.0.0.1:8000/v1` (vLLM). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; none by default. */
  apiKey?: string;
  /** Upstream chat model name; default: the Gemini model name of the call (e.g. `gemini-2.5-flash`). */
  model?: string;
  /** Upstream embedding model name; default: the Gemini model name of the call. */
  embeddingModel?: string;
  /** Longest wait for the answer's headers and between body chunks, in milliseconds; default 600000. */
  timeoutMs?: number;
  /** Most connections to the server at once; default 256. */
  maxConnections?: number;
  /** Extra HTTP headers for every request. */
  headers?: Record<string, string>;
  /**
   * Reads the file a `fileData` part points at (uploaded files). Without it, requests with
   * fileData fail with INVALID_ARGUMENT. Throw a BackendError to choose status and retries.
   */
  resolveFile?: ResolveFile;
  /**
   * Send image requests (responseModalities with IMAGE) to `/images/generations` and
   * `/images/edits` (image-generation.ts); without it, they fail with INVALID_ARGUMENT.
   */
  images?: OpenAIImageOptions;
  /** The route's model draws by default: a request naming no responseModalities is an image request. */
  imageModel?: boolean;
}

/** The backend, plus `close()` to release its connections. */
export type OpenAIBackend = ModelBackend & {
  /** Waits for calls in flight, then closes every connection. */
  close(): Promise<void>;
};

const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_CONNECTIONS = 256;

/** Creates the backend (id `openai:<baseUrl>`). Throws RangeError for invalid options. */
export function createOpenAIBackend(options: OpenAIBackendOptions): OpenAIBackend {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError(`maxConnections must be a positive integer, got ${maxConnections}`);
  const serverLabel = options.baseUrl.replace(/\/+$/, '');
  const http = createHttpClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, headers: options.headers, maxConnections, timeoutMs, serverLabel });
  const images = createImageRequests({
    http, serverLabel, images: options.images, imageModel: options.imageModel, model: options.model, resolveFile: options.resolveFile,
  });

  /** Refuses, resolves files and translates; synchronous for the usual request without fileData. */
  function prepareChat(request: GenerateContentRequest, callOptions: CallOptions): ChatRequest | Promise<ChatRequest> {
    throwIfCancelled(callOptions.signal);
    const model = options.model ?? callOptions.model;
    if (!hasFileParts(request)) return toChatRequest(request, model, NO_FILES, serverLabel);
    // The per-call resolver (scoped to the caller's tenant) wins over one given at construction.
    return resolveFileParts(request, callOptions.resolveFile ?? options.resolveFile, callOptions.signal, serverLabel).then((files) => toChatRequest(request, model, files, serverLabel));
  }

  return {
    id: `openai:${serverLabel}`,

    async generateContent(request: GenerateContentRequest, callOptions: CallOptions): Promise<GenerateContentResponse> {
      if (images.matches(request)) return images.generate(request, callOptions);
      const prepared = prepareChat(request, callOptions);
      const { body, plan } = prepared instanceof Promise ? await prepared : prepared;
      const answer = await http.postJson('/chat/completions', body, callOptions.signal);
      return fromChatResponse(parseChatResponse(answer, serverLabel), plan);
    },

    async *streamGenerateContent(request: GenerateContentRequest, callOptions: CallOptions): AsyncIterable<GenerateContentResponse> {
      if (images.matches(request)) {
        yield await images.generate(request, callOptions);
        return;
      }
      const { body, plan } = await prepareChat(request, callOptions);
      const streamBody: ChatStreamRequestBody = { ...body, stream: true, stream_options: { include_usage: true } };
      const events = await http.postStream('/chat/completions', streamBody, callOptions.signal);
      try {
        yield* fromChatStream(readSseEvents(events), plan, serverLabel);
      } catch (error) {
        throw errorFromFailure(error, callOptions.signal, serverLabel);
      }
    },

    async embedContent(request: EmbedContentRequest, callOptions: CallOptions): Promise<EmbedContentResponse> {
      throwIfCancelled(callOptions.signal);
      const body = toEmbeddingRequest(request, options.embeddingModel ?? callOptions.model, serverLabel);
      const answer = await http.postJson('/embeddings', body, callOptions.signal);
      return fromEmbeddingResponse(answer, request.outputDimensionality, serverLabel);
    },

    close: () => http.close(),
  };
}

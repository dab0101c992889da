/**
 * The model backend port. The queue and the interactive endpoints know only this type; each
 * backend (simulated, OpenAI-compatible, upstream Gemini) is a factory producing one. Optional
 * abilities are optional members; so is `close()`, which the built-in backends all implement.
 */
import type { CachedContentRecord } from '../core/cached-content.js';
import type { RpcStatusName } from '../core/errors.js';
import type {
  EmbedContentRequest,
  EmbedContentResponse,
  GenerateContentRequest,
  GenerateContentResponse,
} from '../core/gemini-types.js';

export interface CallOptions {
  /** The model name as the client used it, without `models/` (e.g. `gemini-2.5-flash`). */
  model: string;
  /** Aborts the call (cancel, shutdown, timeout). The backend must stop and reject promptly. */
  signal: AbortSignal;
  /** 1 for the first try, 2 for the first retry, … (lets simulated faults be transient). */
  attempt?: number;
  /**
   * Reads an uploaded file a `fileData` part points at, scoped to the caller's tenant; for
   * backends that must send the bytes themselves.
   */
  resolveFile?: (fileUri: string, signal: AbortSignal) => Promise<{ mimeType: string; data: Buffer }>;
  /**
   * Set when the client's request named a cache (`cachedContent`). The request the backend gets
   * has the cache's prefix applied already, so a backend may ignore this; one that keeps caches
   * upstream (the Gemini backend) sends `original` with its own cache's name instead.
   */
  cache?: CachedCall;
}

/** A request that named a cache: the cache, and the request as the client wrote it. */
export interface CachedCall {
  record: CachedContentRecord;
  /** The request before the prefix was applied (its `cachedContent` names the local cache). */
  original: GenerateContentRequest;
}

/**
 * How long one call may take before the batch engine abandons it, when its route sets nothing:
 * 10 minutes, the OpenAI SDK's default and the HTTP backends' own transport timeout. A
 * non-streaming backend sends nothing until the whole answer exists, so this bounds the whole
 * generation: Gemini 2.5 Pro's largest answer (65,536 tokens at ~150 tokens/s) takes about 7
 * minutes, while a local server at 30-50 tokens/s per sequence under batch load reaches 10
 * minutes near 20,000-30,000 tokens, so a route expecting outputs that long on slow hardware
 * should raise `timeoutSeconds`. Shorter would turn legitimate long answers into retries that
 * redo the same work; longer would let a backend that never answers hold a concurrency slot per
 * request for longer before the retry.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;

export interface ModelBackend {
  /** Stable identifier for logs and metrics, e.g. `simulated`, `openai:http://host/v1`. */
  readonly id: string;
  /**
   * The longest one call may take before the batch engine abandons it (aborting its signal) and
   * counts a retryable DEADLINE_EXCEEDED; set per route (`timeoutSeconds`, with-call-timeout.ts).
   * Unset: DEFAULT_CALL_TIMEOUT_MS.
   */
  readonly callTimeoutMs?: number;
  generateContent(request: GenerateContentRequest, options: CallOptions): Promise<GenerateContentResponse>;
  /** Streams partial responses; backends without streaming may omit it (the caller falls back). */
  streamGenerateContent?(request: GenerateContentRequest, options: CallOptions): AsyncIterable<GenerateContentResponse>;
  embedContent?(request: EmbedContentRequest, options: CallOptions): Promise<EmbedContentResponse>;
  /** Token count of the prompt; backends without a tokenizer may omit it (the caller estimates). */
  countTokens?(request: GenerateContentRequest, options: CallOptions): Promise<number>;
  /**
   * Waits for the calls in flight, then releases what the backend holds (connection pools);
   * called once, at shutdown, by the registry's `close()`. Optional, so a decorator or a test
   * double without resources need not write one; a decorator must forward it when present.
   */
  close?(): Promise<void>;
}

/**
 * A failed backend call. `retryable` and `retryAfterMs` decide retries; nothing parses messages.
 * `status` is the google.rpc status the failure maps to (it becomes the result line's error).
 */
export class BackendError extends Error {
  readonly status: RpcStatusName;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** The backend's HTTP status, when there was one. */
  readonly httpStatus: number | undefined;

  constructor(
    message: string,
    options: { status: RpcStatusName; retryable: boolean; retryAfterMs?: number; httpStatus?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BackendError';
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.httpStatus = options.httpStatus;
  }
}

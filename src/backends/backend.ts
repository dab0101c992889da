/**
 * The model backend port. The queue and the interactive endpoints know only this type; each
 * backend (simulated, OpenAI-compatible, upstream Gemini) is a factory producing one. Optional
 * abilities are optional members.
 */
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
}

export interface ModelBackend {
  /** Stable identifier for logs and metrics, e.g. `simulated`, `openai:http://host/v1`. */
  readonly id: string;
  generateContent(request: GenerateContentRequest, options: CallOptions): Promise<GenerateContentResponse>;
  /** Streams partial responses; backends without streaming may omit it (the caller falls back). */
  streamGenerateContent?(request: GenerateContentRequest, options: CallOptions): AsyncIterable<GenerateContentResponse>;
  embedContent?(request: EmbedContentRequest, options: CallOptions): Promise<EmbedContentResponse>;
  /** Token count of the prompt; backends without a tokenizer may omit it (the caller estimates). */
  countTokens?(request: GenerateContentRequest, options: CallOptions): Promise<number>;
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

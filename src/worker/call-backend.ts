/**
 * One request of a batch against its backend, with retries: the call is repeated while the
 * backend says the failure is retryable (after the retry policy's backoff, at least its
 * Retry-After), and the final outcome is a result line either way. Aborts (cancel, shutdown)
 * propagate as rejections: an aborted request has no result.
 *
 * Every try has a deadline (the backend's `callTimeoutMs`, default DEFAULT_CALL_TIMEOUT_MS),
 * counted from when the model's limiter lets it start: past it the try's signal aborts and the
 * try counts as a retryable DEADLINE_EXCEEDED, whatever the backend rejected with, so a backend
 * that never answers goes through the same retries as a 503 and, if it never answers at all,
 * ends as a DEADLINE_EXCEEDED error line. The caller's own abort still wins: it is checked first.
 */
import { BackendError, DEFAULT_CALL_TIMEOUT_MS, type CachedCall, type CallOptions, type ModelBackend } from '../backends/backend.js';
import type { BatchKind } from '../core/batch.js';
import { NO_EVENTS, type EngineEvents } from '../core/engine-events.js';
import type { EmbedContentRequest, GenerateContentRequest, RpcStatus } from '../core/gemini-types.js';
import { estimateCallTokens } from '../core/token-estimate.js';
import { createCallDeadlines, type StartDeadline } from './call-deadline.js';
import type { FileResolver } from '../files/file-resolver.js';
import type { LimiterOutcome, ModelLimiter } from './model-limiter.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { rpcStatus } from '../batches/result-line.js';

export type CallOutcome = { ok: true; response: unknown } | { ok: false; error: RpcStatus };

/** Everything about a call but its request: the same for every request of a shard. */
export interface CallContext {
  backend: ModelBackend;
  kind: BatchKind;
  model: string;
  retry: RetryPolicy;
  /** The model's concurrency and rate limits; every try passes through it. */
  limiter?: ModelLimiter | undefined;
  signal: AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Reads uploaded files for `fileData` parts (scoped to the batch's tenant). */
  resolveFile?: FileResolver | undefined;
  /** Called before each retry (metrics, adaptive limits). */
  onRetry?: ((error: BackendError, delayMs: number) => void) | undefined;
  /** Where each try's deadline comes from; default one shared by every call of the process. */
  deadlines?: StartDeadline;
  /** Told of every try's outcome (metrics, the operator's log); default nobody. */
  events?: Pick<EngineEvents, 'backendCall'> | undefined;
  /** The batch the request belongs to, for the events. */
  batchId?: string | undefined;
}

export interface CallBackendOptions extends CallContext {
  request: GenerateContentRequest | EmbedContentRequest;
  /** The cache the request named (its prefix is applied to `request` already). */
  cache?: CachedCall | undefined;
}

const sharedDeadlines = createCallDeadlines();
/** A release with nothing to report (shared: the limiter only reads it). */
const NO_OUTCOME: LimiterOutcome = Object.freeze({});

export function callBackend(options: CallBackendOptions): Promise<CallOutcome> {
  return callRequest(options, options.request, options.cache);
}

/** `callBackend` with the shard's shared context and this request (no options object made per request). */
export async function callRequest(
  options: CallContext, request: GenerateContentRequest | EmbedContentRequest, cache?: CachedCall,
): Promise<CallOutcome> {
  const { backend, kind, model, retry, signal, limiter } = options;
  const estimate = limiter?.tracksTokens ? estimateCallTokens(request) : 0;
  const timeoutMs = backend.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const deadlines = options.deadlines ?? sharedDeadlines;
  const events = options.events ?? NO_EVENTS;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    const permit = limiter ? (limiter.tryAcquire(estimate) ?? (await limiter.acquire(estimate, signal))) : undefined;
    const deadline = deadlines(signal, timeoutMs);
    const startedAt = performance.now();
    try {
      const response = kind === 'generate'
        ? await generate(options, request as GenerateContentRequest, cache, deadline.signal, attempt)
        : await embed(backend, request as EmbedContentRequest, model, deadline.signal, attempt);
      permit?.release(limiter?.tracksTokens ? { tokens: usedTokens(response) ?? estimate } : NO_OUTCOME);
      events.backendCall({ model, batchId: options.batchId, latencyMs: performance.now() - startedAt, attempt, outcome: 'ok' });
      return { ok: true, response };
    } catch (thrown) {
      const error = deadline.expired && !signal.aborted ? deadlineExceeded(backend, timeoutMs, thrown) : thrown;
      permit?.release(throttleOf(error));
      // An aborted try (cancel, shutdown) has no outcome: nothing is reported.
      if (signal.aborted) throw signal.reason;
      const delay = retryDelayMs(error, attempt, retry);
      const status = toRpcStatus(error);
      const latencyMs = performance.now() - startedAt;
      if (delay === undefined) {
        events.backendCall({ model, batchId: options.batchId, latencyMs, attempt, outcome: 'failed', status: status.status ?? 'UNKNOWN', message: status.message });
        return { ok: false, error: status };
      }
      const retryAfterMs = error instanceof BackendError ? error.retryAfterMs : undefined;
      events.backendCall({
        model, batchId: options.batchId, latencyMs, attempt,
        outcome: 'retryable', status: status.status ?? 'UNKNOWN', message: status.message,
        retryInMs: delay, retryAfter: retryAfterMs !== undefined && delay === retryAfterMs,
      });
      options.onRetry?.(error as BackendError, delay);
      await options.sleep(delay, signal);
    }
  }
}

/** One generateContent try; the call options carry only what the request has. */
function generate(options: CallContext, request: GenerateContentRequest, cache: CachedCall | undefined, signal: AbortSignal, attempt: number): Promise<unknown> {
  const callOptions: CallOptions = { model: options.model, signal, attempt };
  if (options.resolveFile) callOptions.resolveFile = options.resolveFile;
  if (cache) callOptions.cache = cache;
  return options.backend.generateContent(request, callOptions);
}

/** The failure of a try whose deadline passed, whatever the backend rejected with once aborted. */
function deadlineExceeded(backend: ModelBackend, timeoutMs: number, cause: unknown): BackendError {
  return new BackendError(`The backend (${backend.id}) did not answer within ${timeoutMs / 1000} s (the model's timeoutSeconds).`, {
    status: 'DEADLINE_EXCEEDED',
    retryable: true,
    cause,
  });
}

async function embed(backend: ModelBackend, request: EmbedContentRequest, model: string, signal: AbortSignal, attempt: number): Promise<unknown> {
  if (!backend.embedContent) {
    throw new BackendError(`Model ${model} does not support embeddings.`, { status: 'INVALID_ARGUMENT', retryable: false });
  }
  return backend.embedContent(request, { model, signal, attempt });
}

function usedTokens(response: unknown): number | undefined {
  const usage = (response as { usageMetadata?: { totalTokenCount?: number } }).usageMetadata;
  return usage?.totalTokenCount;
}

/** 429 and 503 (RESOURCE_EXHAUSTED, UNAVAILABLE) tell the limiter to back off. */
function throttleOf(error: unknown): { throttled: boolean; retryAfterMs?: number } {
  if (!(error instanceof BackendError)) return { throttled: false };
  const throttled = error.status === 'RESOURCE_EXHAUSTED' || error.status === 'UNAVAILABLE' || error.httpStatus === 429 || error.httpStatus === 503;
  return error.retryAfterMs === undefined ? { throttled } : { throttled, retryAfterMs: error.retryAfterMs };
}

export function toRpcStatus(error: unknown): RpcStatus {
  if (error instanceof BackendError) return rpcStatus(error.status, error.message);
  return rpcStatus('INTERNAL', 'Internal error while running the request.');
}

/** The retry sleep: ends early (rejecting with the signal's reason) when the signal aborts. */

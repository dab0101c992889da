/**
 * Running a shard's requests: each input line not yet in the shard's log is parsed, sent to
 * the model's backend (call-backend.ts: retries, deadline, the route's limiter) under one of the
 * worker's concurrency slots, and its result line appended to the log. A request's slot is
 * freed only once its result is written, so the requests a crash can make a worker send again
 * are at most the slots in use at that moment.
 *
 * A request never rejects: a backend failure becomes an error result line, and a failure to
 * store a result is reported once through `onWriteFailure` (the request is not counted, and
 * runs again when the shard is resumed). The caller owns the signals, the log and the input.
 * A request naming a cache gets the prefix frozen with its batch (batches/batch-caches.ts).
 *
 * With a prefix window (`prefixWindow` > 0), lines are read ahead and parsed a window at a time
 * and dispatched grouped by prefix key (prefix-window.ts), so that requests sharing a prompt
 * prefix reach the backend together; each line is still parsed once, a line that fails to parse
 * still gets its error result, and results are stored by position as always. Without one, each
 * line is dispatched as it is read, in file order.
 */
import type { BackendError, CachedCall } from '../backends/backend.js';
import type { BackendRegistry, ResolvedModel } from '../backends/registry.js';
import type { EngineEvents } from '../core/engine-events.js';
import { addUsage, usageOf } from '../core/usage.js';
import { parseBatchLine, type BatchLine } from '../core/wire-schema/request-lines.js';
import { prefixKey } from '../core/prefix-key.js';
import { applyCachedPrefix, reportCachedTokens } from '../core/apply-cached-prefix.js';
import { cachedContentNotFound } from '../core/cached-content.js';
import type { GenerateContentRequest, GenerateContentResponse } from '../core/gemini-types.js';
import { readBatchCaches, type BatchCaches } from '../batches/batch-caches.js';
import type { Clock } from '../lib/clock.js';
import { isBlank, type Line } from '../lib/line-reader.js';
import type { Semaphore } from '../lib/semaphore.js';
import type { BlobAppender, BlobStore } from '../store/blob-store.js';
import type { ClaimedShard, Store } from '../store/store.js';
import { callRequest, toRpcStatus, type CallContext, type CallOutcome } from './call-backend.js';
import { errorLine, rpcStatus, successLine, type RequestIdentity } from '../batches/result-line.js';
import { encodeOutputLine } from '../batches/shard-log.js';
import { createFileResolver } from '../files/file-resolver.js';
import type { ModelLimiter } from './model-limiter.js';
import type { RetryPolicy } from './retry-policy.js';
import type { ShardTally } from './shard-lease.js';
import { createPrefixWindow, WINDOW_MAX_BYTES } from './prefix-window.js';

/** A line that failed to parse has neither key nor metadata. */
const NO_IDENTITY: RequestIdentity = Object.freeze({});

export interface RequestRunnerDeps {
  store: Store;
  blobs: BlobStore;
  registry: BackendRegistry;
  clock: Clock;
  /** The worker's concurrency slots, shared by all its shards. */
  slots: Semaphore;
  retry: RetryPolicy;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The limiter of a model's route (shared by every shard of this worker that uses it). */
  limiterFor: (model: ResolvedModel) => ModelLimiter;
  /** Told of every retryable backend failure (for progress views). */
  onBackendFailure?: (model: ResolvedModel, error: BackendError) => void;
  /** Told of every backend try (metrics, the operator's log). */
  events?: EngineEvents;
  /** Requests read ahead and grouped by prompt prefix before dispatch; 0 or absent: file order. */
  prefixWindow?: number;
}

export interface RequestRun {
  /** Aborts the calls in flight and stops dispatching. */
  signal: AbortSignal;
  /** Stops dispatching; the calls in flight finish. */
  drain?: AbortSignal | undefined;
  /** Results already in the log, by position in the shard: those requests are skipped. */
  done: (position: number) => boolean;
  /** Counts to add each stored result to. */
  tally: ShardTally;
  /** Called once, with the first failure to append a result to the log. */
  onWriteFailure: (error: unknown) => void;
}

export interface RequestRunner {
  /**
   * Hands every remaining request of `lines` to a slot; resolves once all are dispatched, or
   * as soon as `signal` or `drain` fires. The requests may still be in flight.
   */
  dispatch(lines: AsyncIterable<Line>, log: BlobAppender): Promise<void>;
  /** Resolves once every dispatched request has settled (its result stored or dropped). */
  settled(): Promise<void>;
}

export function createRequestRunner({ shard, batch }: ClaimedShard, deps: RequestRunnerDeps, run: RequestRun): RequestRunner {
  const { signal, drain, tally } = run;
  const resolved = deps.registry.resolve(batch.model);
  const limiter = resolved ? deps.limiterFor(resolved) : undefined;
  const resolveFile = createFileResolver(deps.store, deps.blobs, batch.tenantId, () => deps.clock.now());
  // Requests in flight, and who waits for them all to settle.
  let inFlight = 0;
  let onSettled: (() => void) | undefined;
  let writeFailed = false;
  // Read once, when a request first names a cache.
  let caches: Promise<BatchCaches> | undefined;
  /** The request with its cache's prefix, the cache's tokens and the cache for the backend (only when it names one). */
  const withCache = async (request: GenerateContentRequest): Promise<{ request: GenerateContentRequest; cachedTokens: number; cache?: CachedCall }> => {
    caches ??= readBatchCaches(deps.blobs, batch.id);
    const cache = (await caches).get(request.cachedContent ?? '');
    if (!cache || !resolved) throw cachedContentNotFound();
    return { request: applyCachedPrefix(request, cache, resolved.id), cachedTokens: cache.totalTokenCount, cache: { record: cache, original: request } };
  };
  const namesCache = (request: GenerateContentRequest): boolean =>
    batch.kind === 'generate' && request.cachedContent !== undefined && request.cachedContent !== '' && resolved !== undefined;
  const onRetry = resolved && deps.onBackendFailure ? (error: BackendError): void => deps.onBackendFailure?.(resolved, error) : undefined;

  /** A line's parse, run (or its result or error replayed) inside `runOne`'s error handling. */
  type ParsedLine = () => BatchLine;
  /** The backend's outcome for a parsed line (a plain promise: no async frame of its own without a cache). */
  /** What every call of the shard shares (one object, not one per request). */
  const context: CallContext | undefined = resolved && {
    backend: resolved.backend, kind: batch.kind, model: resolved.id,
    retry: deps.retry, signal, sleep: deps.sleep, resolveFile, limiter, events: deps.events, batchId: batch.id, onRetry,
  };
  const callLine = (line: BatchLine): Promise<CallOutcome> => {
    if (!context) return Promise.resolve({ ok: false, error: rpcStatus('NOT_FOUND', `models/${batch.model} is no longer served by this server.`) });
    const original = line.request as GenerateContentRequest;
    if (namesCache(original)) return callCached(context, original);
    return callRequest(context, original);
  };
  const callCached = async (shared: CallContext, original: GenerateContentRequest): Promise<CallOutcome> => {
    const cached = await withCache(original);
    const outcome = await callRequest(shared, cached.request, cached.cache);
    if (outcome.ok && cached.cachedTokens > 0) outcome.response = reportCachedTokens(outcome.response as GenerateContentResponse, cached.cachedTokens);
    return outcome;
  };

  const runOne = async (position: number, parsed: ParsedLine, log: BlobAppender): Promise<void> => {
    // The line itself names the request in its result line (its key and metadata).
    let identity: RequestIdentity = NO_IDENTITY;
    let outcome: CallOutcome;
    try {
      const line = parsed();
      identity = line;
      outcome = await callLine(line);
    } catch (error) {
      // Aborted: the result is dropped (the request runs again when the shard is resumed).
      if (signal.aborted) return;
      outcome = { ok: false, error: toRpcStatus(error) };
    }
    const resultLine = outcome.ok ? successLine(identity, outcome.response, batch.inputKind) : errorLine(identity, outcome.error, batch.inputKind);
    const used = outcome.ok ? usageOf(outcome.response) : undefined;
    try {
      await log.append(encodeOutputLine(shard.firstRequest + position, outcome.ok, resultLine, used));
    } catch (error) {
      // Not stored, not counted: the request runs again when the shard is resumed.
      if (!writeFailed) {
        writeFailed = true;
        run.onWriteFailure(error);
      }
      return;
    }
    if (used) addUsage(tally.usage, used);
    if (outcome.ok) tally.succeeded++;
    else tally.failed++;
  };

  // Waiting for a slot ends on abort or drain; one combined signal per shard, not per request.
  const stopWaiting = drain ? AbortSignal.any([signal, drain]) : signal;
  const stopped = (): boolean => signal.aborted || drain?.aborted === true;

  /** A request settled (runOne never rejects): its slot is freed. */
  const settleOne = (): void => {
    deps.slots.release();
    if (--inFlight === 0) onSettled?.();
  };

  /**
   * Waits for a slot and starts the request; false when dispatch must stop (abort or drain).
   * Always through an await, even with a slot free: each request's backend call then runs in a
   * microtask of its own, after the previous request's result line is made, so a burst of large
   * answers (images) is not all in memory at once.
   */
  const dispatchOne = async (position: number, parsed: ParsedLine, log: BlobAppender): Promise<boolean> => {
    try {
      await deps.slots.acquire(stopWaiting);
    } catch {
      return false;
    }
    inFlight++;
    void runOne(position, parsed, log).then(settleOne, settleOne);
    return true;
  };

  /** Parses a line now (once), keeping its request or its error for `call`, and its prefix key. */
  const parseAhead = (text: string): { parsed: ParsedLine; key: string | undefined } => {
    try {
      const line = parseBatchLine(text, batch.kind);
      return { parsed: () => line, key: prefixKey(line.request, batch.kind) };
    } catch (error) {
      return {
        parsed: () => {
          throw error;
        },
        key: undefined,
      };
    }
  };

  const windowSize = deps.prefixWindow ?? 0;
  const window = windowSize > 0 ? createPrefixWindow<{ position: number; parsed: ParsedLine }>({ requests: windowSize, bytes: WINDOW_MAX_BYTES }) : undefined;
  /** Dispatches the window's requests in its order; false when dispatch must stop. */
  const dispatchWindow = async (log: BlobAppender): Promise<boolean> => {
    for (const { position, parsed } of window?.take() ?? []) {
      if (stopped() || !(await dispatchOne(position, parsed, log))) return false;
    }
    return true;
  };

  return {
    async dispatch(lines, log) {
      let position = 0;
      for await (const line of lines) {
        if (stopped()) break;
        if (isBlank(line.bytes)) continue;
        const at = position++;
        if (run.done(at)) continue;
        if (!window) {
          const text = line.bytes.toString('utf8');
          if (!(await dispatchOne(at, () => parseBatchLine(text, batch.kind), log))) break;
          continue;
        }
        const { parsed, key } = parseAhead(line.bytes.toString('utf8'));
        if (window.add({ position: at, parsed }, key, line.bytes.length) && !(await dispatchWindow(log))) break;
      }
      // What is left of the last window (nothing after a stop: it checks before each request).
      await dispatchWindow(log);
    },
    async settled() {
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const previous = onSettled;
        onSettled = () => {
          onSettled = undefined;
          previous?.();
          resolve();
        };
      });
    },
  };
}

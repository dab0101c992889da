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
 */
import type { BackendError } from '../backends/backend.js';
import type { BackendRegistry, ResolvedModel } from '../backends/registry.js';
import type { EngineEvents } from '../core/engine-events.js';
import { addUsage, usageOf } from '../core/usage.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import { applyCachedPrefix, reportCachedTokens } from '../core/apply-cached-prefix.js';
import { cachedContentNotFound } from '../core/cached-content.js';
import type { GenerateContentRequest, GenerateContentResponse } from '../core/gemini-types.js';
import { readBatchCaches, type BatchCaches } from '../batches/batch-caches.js';
import type { Clock } from '../lib/clock.js';
import { isBlank, type Line } from '../lib/line-reader.js';
import type { Semaphore } from '../lib/semaphore.js';
import type { BlobAppender, BlobStore } from '../store/blob-store.js';
import type { ClaimedShard, Store } from '../store/store.js';
import { callBackend, toRpcStatus, type CallOutcome } from './call-backend.js';
import { errorLine, rpcStatus, successLine, type RequestIdentity } from '../batches/result-line.js';
import { encodeOutputLine } from '../batches/shard-log.js';
import { createFileResolver } from '../files/file-resolver.js';
import type { ModelLimiter } from './model-limiter.js';
import type { RetryPolicy } from './retry-policy.js';
import type { ShardTally } from './shard-lease.js';

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
}

export interface RequestRun {
  /** Aborts the calls in flight and stops dispatching. */
  signal: AbortSignal;
  /** Stops dispatching; the calls in flight finish. */
  drain?: AbortSignal | undefined;
  /** Results already in the log, by position in the shard: those requests are skipped. */
  done: readonly (Buffer | undefined)[];
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
  const inFlight = new Set<Promise<void>>();
  let writeFailed = false;
  // Read once, when a request first names a cache.
  let caches: Promise<BatchCaches> | undefined;
  /** The request with its cache's prefix, and the cache's tokens (0 without one). */
  const withCache = async (request: GenerateContentRequest): Promise<{ request: GenerateContentRequest; cachedTokens: number }> => {
    if (batch.kind !== 'generate' || request.cachedContent === undefined || request.cachedContent === '' || !resolved) return { request, cachedTokens: 0 };
    caches ??= readBatchCaches(deps.blobs, batch.id);
    const cache = (await caches).get(request.cachedContent);
    if (!cache) throw cachedContentNotFound();
    return { request: applyCachedPrefix(request, cache, resolved.id), cachedTokens: cache.totalTokenCount };
  };

  const call = async (text: string): Promise<{ identity: RequestIdentity; outcome: CallOutcome } | undefined> => {
    let identity: RequestIdentity = {};
    try {
      const line = parseBatchLine(text, batch.kind);
      identity = { key: line.key, metadata: line.metadata };
      const { request, cachedTokens } = await withCache(line.request as GenerateContentRequest);
      const outcome: CallOutcome = resolved
        ? await callBackend({
            backend: resolved.backend, kind: batch.kind, model: resolved.id, request,
            retry: deps.retry, signal, sleep: deps.sleep, resolveFile, ...(limiter ? { limiter } : {}),
            ...(deps.events ? { events: deps.events } : {}), batchId: batch.id,
            onRetry: (error) => deps.onBackendFailure?.(resolved, error),
          })
        : { ok: false, error: rpcStatus('NOT_FOUND', `models/${batch.model} is no longer served by this server.`) };
      if (outcome.ok && cachedTokens > 0) outcome.response = reportCachedTokens(outcome.response as GenerateContentResponse, cachedTokens);
      return { identity, outcome };
    } catch (error) {
      // Aborted: the result is dropped (the request runs again when the shard is resumed).
      if (signal.aborted) return undefined;
      return { identity, outcome: { ok: false, error: toRpcStatus(error) } };
    }
  };

  const runOne = async (position: number, text: string, log: BlobAppender): Promise<void> => {
    const called = await call(text);
    if (!called) return;
    const { identity, outcome } = called;
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

  return {
    async dispatch(lines, log) {
      let position = 0;
      for await (const line of lines) {
        if (signal.aborted || drain?.aborted) break;
        if (isBlank(line.bytes)) continue;
        const at = position++;
        if (run.done[at] !== undefined) continue;
        try {
          await deps.slots.acquire(stopWaiting);
        } catch {
          break;
        }
        const task = runOne(at, line.bytes.toString('utf8'), log).finally(() => {
          deps.slots.release();
          inFlight.delete(task);
        });
        inFlight.add(task);
      }
    },
    async settled() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

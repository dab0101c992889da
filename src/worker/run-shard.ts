/**
 * Runs one claimed shard: re-reads its lines from the batch's input, skips requests whose
 * results are already in the shard's output log (a takeover after a crash), sends the rest to
 * the backend under the worker's concurrency slots, and appends each result to the log as it
 * finishes. The lease is renewed while it runs; progress counts are saved every interval.
 *
 * A request's concurrency slot is freed only once its result is written to the log, so the
 * requests a crash can make a worker send again are at most the slots in use at that moment.
 *
 * Ends: `completed` (every request has a result; the shard is marked done), `stopped` (the
 * `abort` signal fired: cancel or hard shutdown, in-flight calls dropped; or `drain` fired:
 * graceful shutdown, no new requests but the in-flight ones finish; either way the shard is
 * released for another worker), `lost` (the lease went to another worker, or the batch was
 * cancelled or expired by any process; nothing more is written), or `failed` (a result could
 * not be stored: S3 unreachable, a full disk; the shard stops at once and is released, and a
 * later claim resumes it from the last stored result). Store failures (the database gone)
 * reject; every timer and in-flight call is settled before the promise settles either way.
 */
import type { BackendError } from '../backends/backend.js';
import type { BackendRegistry, ResolvedModel } from '../backends/registry.js';
import { addUsage, usageOf } from '../core/usage.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import type { Clock } from '../lib/clock.js';
import { isBlank, readLines } from '../lib/line-reader.js';
import type { Logger } from '../lib/logger.js';
import type { Semaphore } from '../lib/semaphore.js';
import type { BlobAppender, BlobStore } from '../store/blob-store.js';
import type { ClaimedShard, Store } from '../store/store.js';
import { callBackend, toRpcStatus, type CallOutcome } from './call-backend.js';
import { errorLine, rpcStatus, successLine, type RequestIdentity } from '../batches/result-line.js';
import { createFileResolver } from '../files/file-resolver.js';
import type { ModelLimiter } from './model-limiter.js';
import type { RetryPolicy } from './retry-policy.js';
import { encodeOutputLine, readShardOutput, shardOutputKey } from '../batches/shard-log.js';

export interface ShardRunnerDeps {
  store: Store;
  blobs: BlobStore;
  registry: BackendRegistry;
  clock: Clock;
  logger: Logger;
  /** This worker's identity in leases. */
  owner: string;
  leaseMs: number;
  progressIntervalMs: number;
  /** The worker's concurrency slots, shared by all its shards. */
  slots: Semaphore;
  retry: RetryPolicy;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The limiter of a model's route (shared by every shard of this worker that uses it). */
  limiterFor: (model: ResolvedModel) => ModelLimiter;
  /** Told of every retryable backend failure (for progress views). */
  onBackendFailure?: (model: ResolvedModel, error: BackendError) => void;
}

export type ShardEnd = 'completed' | 'stopped' | 'lost' | 'failed';

export interface ShardSignals {
  /** Stop now: abort in-flight calls. */
  abort: AbortSignal;
  /** Stop starting requests; let in-flight ones finish. */
  drain?: AbortSignal;
}

export async function runShard(
  { shard, batch }: ClaimedShard,
  deps: ShardRunnerDeps,
  { abort: signal, drain }: ShardSignals,
  onDispatched: () => void = () => undefined,
): Promise<{ end: ShardEnd; allDone: boolean; error?: unknown }> {
  const { store, blobs, owner } = deps;
  const outputKey = shardOutputKey(shard.batchId, shard.index);
  const existing = await readShardOutput(blobs, shard);
  if (existing.storedBytes !== undefined && existing.storedBytes > existing.validBytes) await blobs.truncate(outputKey, existing.validBytes);

  let succeeded = existing.succeeded;
  let failed = existing.failed;
  const usage = existing.usage;
  const local = new AbortController();
  const stop = (): void => local.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  let lost = false;
  const loseLease = (): void => {
    lost = true;
    local.abort(new Error('lease lost or batch stopped'));
  };
  /** The first failure to store a result: the shard stops and is given back. */
  let writeFailure: { error: unknown } | undefined;

  const renewal = setInterval(() => {
    store.shards.renew(shard.batchId, shard.index, owner, deps.clock.now() + deps.leaseMs).then(
      (held) => {
        if (!held) loseLease();
      },
      (error: unknown) => deps.logger.warn('lease renewal failed', { batch: shard.batchId, shard: shard.index, error }),
    );
  }, Math.max(50, Math.floor(deps.leaseMs / 3)));
  // A false answer means the lease is gone or the batch was cancelled or expired, possibly by
  // another process: stop within one progress interval instead of waiting for the renewal.
  const progress = setInterval(() => {
    store.shards.recordProgress(shard.batchId, shard.index, owner, succeeded, failed, usage).then(
      (held) => {
        if (!held) loseLease();
      },
      (error: unknown) => deps.logger.warn('progress update failed', { batch: shard.batchId, error }),
    );
  }, deps.progressIntervalMs);

  let output: BlobAppender | undefined;
  const resolved = deps.registry.resolve(batch.model);
  const limiter = resolved ? deps.limiterFor(resolved) : undefined;
  const resolveFile = createFileResolver(store, blobs, batch.tenantId, () => deps.clock.now());
  const inFlight = new Set<Promise<void>>();

  const runOne = async (position: number, text: string, log: BlobAppender): Promise<void> => {
    let identity: RequestIdentity = {};
    let outcome: CallOutcome;
    try {
      const line = parseBatchLine(text, batch.kind);
      identity = { key: line.key, metadata: line.metadata };
      outcome = resolved
        ? await callBackend({
            backend: resolved.backend, kind: batch.kind, model: resolved.id, request: line.request,
            retry: deps.retry, signal: local.signal, sleep: deps.sleep, resolveFile, ...(limiter ? { limiter } : {}),
            onRetry: (error) => deps.onBackendFailure?.(resolved, error),
          })
        : { ok: false, error: rpcStatus('NOT_FOUND', `models/${batch.model} is no longer served by this server.`) };
    } catch (error) {
      if (local.signal.aborted) return;
      outcome = { ok: false, error: toRpcStatus(error) };
    }
    const resultLine = outcome.ok ? successLine(identity, outcome.response, batch.inputKind) : errorLine(identity, outcome.error, batch.inputKind);
    const used = outcome.ok ? usageOf(outcome.response) : undefined;
    try {
      await log.append(encodeOutputLine(shard.firstRequest + position, outcome.ok, resultLine, used));
    } catch (error) {
      // Not stored, not counted: the request runs again when the shard is resumed.
      writeFailure ??= { error };
      local.abort(new Error('a result could not be stored'));
      return;
    }
    if (used) addUsage(usage, used);
    if (outcome.ok) succeeded++;
    else failed++;
  };

  // Waiting for a slot ends on abort or drain; one combined signal per shard, not per request.
  const stopWaiting = drain ? AbortSignal.any([local.signal, drain]) : local.signal;
  try {
    const log = await blobs.openAppender(outputKey);
    output = log;
    const input = await blobs.read(batch.inputBlobKey, { start: shard.byteStart, end: shard.byteEnd - 1 });
    let position = 0;
    for await (const line of readLines(input, shard.byteStart)) {
      if (local.signal.aborted || drain?.aborted) break;
      if (isBlank(line.bytes)) continue;
      const at = position++;
      if (existing.lines[at] !== undefined) continue;
      try {
        await deps.slots.acquire(stopWaiting);
      } catch {
        break;
      }
      // runOne settles normally (its failures become result lines or writeFailure), never rejects.
      const task = runOne(at, line.bytes.toString('utf8'), log).finally(() => {
        deps.slots.release();
        inFlight.delete(task);
      });
      inFlight.add(task);
    }
    input.destroy();
  } finally {
    onDispatched();
    await Promise.allSettled([...inFlight]);
    clearInterval(renewal);
    clearInterval(progress);
    signal.removeEventListener('abort', stop);
    await output?.close().catch((error: unknown) => {
      writeFailure ??= { error };
    });
  }

  if (writeFailure) {
    await store.shards.release(shard.batchId, shard.index, owner);
    return { end: 'failed', allDone: false, error: writeFailure.error };
  }
  if (lost) {
    // Gives the shard back if this worker still holds it (its batch was stopped) so the batch
    // can be finalized now, not when the lease lapses; a no-op if another worker took it.
    await store.shards.release(shard.batchId, shard.index, owner);
    return { end: 'lost', allDone: false };
  }
  if (local.signal.aborted || (drain?.aborted && succeeded + failed < shard.requestCount)) {
    await store.shards.recordProgress(shard.batchId, shard.index, owner, succeeded, failed, usage);
    await store.shards.release(shard.batchId, shard.index, owner);
    return { end: 'stopped', allDone: false };
  }
  const { completed, allDone } = await store.shards.complete(shard.batchId, shard.index, owner, succeeded, failed, usage);
  return { end: completed ? 'completed' : 'lost', allDone };
}


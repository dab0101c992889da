/**
 * Runs one claimed shard: resumes from its output log (a takeover after a crash: requests
 * whose results are stored are skipped, a torn last line is cut off), holds the lease while it
 * runs (shard-lease.ts), runs the remaining requests (shard-requests.ts), and ends the shard in
 * the store. Every resource (the lease's timers, the signal listeners, the log's appender, the
 * input stream) is opened inside one try and closed in its finally.
 *
 * Ends: `completed` (every request has a result; the shard is marked done), `stopped` (the
 * `abort` signal fired: cancel or hard shutdown, in-flight calls dropped; or `drain` fired:
 * graceful shutdown, no new requests but the in-flight ones finish; either way progress is saved
 * and the shard is released for another worker), `lost` (the lease went to another worker, or
 * the batch was cancelled or expired by any process; nothing more is written and the shard is
 * released if still held), or `failed` (a result could not be stored: S3 unreachable, a full
 * disk; the shard stops at once and is released, and a later claim resumes it from the last
 * stored result). Store failures (the database gone) reject; every timer and in-flight call is
 * settled before the promise settles either way.
 */
import type { Readable } from 'node:stream';
import type { Logger } from '../lib/logger.js';
import type { BlobAppender } from '../store/blob-store.js';
import type { ClaimedShard } from '../store/store.js';
import { readLines } from '../lib/line-reader.js';
import { isDone, readShardOutput } from '../batches/shard-log.js';
import { shardLogKey } from '../core/blob-keys.js';
import { onAbort } from '../lib/abort.js';
import { createShardLease, type LeaseTimers, type ShardTally } from './shard-lease.js';
import { createRequestRunner, type RequestRunnerDeps } from './shard-requests.js';

export interface ShardRunnerDeps extends RequestRunnerDeps {
  logger: Logger;
  /** This worker's identity in leases. */
  owner: string;
  leaseMs: number;
  progressIntervalMs: number;
  /** The lease's renewal and progress timers; default the global ones. */
  timers?: LeaseTimers;
}

export type ShardEnd = 'completed' | 'stopped' | 'lost' | 'failed';

export interface ShardSignals {
  /** Stop now: abort in-flight calls. */
  abort: AbortSignal;
  /** Stop starting requests; let in-flight ones finish. */
  drain?: AbortSignal;
}

export async function runShard(
  claimed: ClaimedShard,
  deps: ShardRunnerDeps,
  { abort, drain }: ShardSignals,
  onDispatched: () => void = () => undefined,
): Promise<{ end: ShardEnd; allDone: boolean; error?: unknown }> {
  const { shard, batch } = claimed;
  const { blobs } = deps;
  const outputKey = shardLogKey(shard.batchId, shard.index);
  const existing = await readShardOutput(blobs, shard);
  if (existing.storedBytes !== undefined && existing.storedBytes > existing.validBytes) await blobs.truncate(outputKey, existing.validBytes);

  const tally: ShardTally = { succeeded: existing.succeeded, failed: existing.failed, usage: existing.usage };
  /** Aborts the requests: on `abort`, a lost lease or a result that could not be stored. */
  const local = new AbortController();
  /** The first failure to store a result: the shard stops and is given back. */
  let writeFailure: { error: unknown } | undefined;
  const lease = createShardLease(shard, () => tally, deps);
  const requests = createRequestRunner(claimed, deps, {
    signal: local.signal, drain, done: (position) => isDone(existing, position), tally,
    onWriteFailure: (error) => {
      writeFailure ??= { error };
      local.abort(new Error('a result could not be stored'));
    },
  });
  const forwardAbort = (): void => local.abort(abort.reason);
  const onLost = (): void => local.abort(lease.lost.reason);
  let log: BlobAppender | undefined;
  let input: Readable | undefined;
  const stopListening = [onAbort(abort, forwardAbort), onAbort(lease.lost, onLost)];
  try {
    if (abort.aborted) forwardAbort();
    lease.start();
    log = await blobs.openAppender(outputKey);
    input = await blobs.read(batch.inputBlobKey, { start: shard.byteStart, end: shard.byteEnd - 1 });
    await requests.dispatch(readLines(input, shard.byteStart), log);
  } finally {
    onDispatched();
    await requests.settled();
    await lease.stop();
    input?.destroy();
    for (const dispose of stopListening) dispose();
    await log?.close().catch((error: unknown) => {
      writeFailure ??= { error };
    });
  }
  return endShard(claimed, deps, { tally, writeFailure, lost: lease.lost.aborted, stopped: local.signal.aborted, drained: drain?.aborted === true });
}

/** Records how the shard ended in the store (see the header for each end). */
async function endShard(
  { shard }: ClaimedShard,
  { store, owner }: ShardRunnerDeps,
  how: { tally: ShardTally; writeFailure: { error: unknown } | undefined; lost: boolean; stopped: boolean; drained: boolean },
): Promise<{ end: ShardEnd; allDone: boolean; error?: unknown }> {
  const { succeeded, failed, usage } = how.tally;
  if (how.writeFailure) {
    await store.shards.release(shard.batchId, shard.index, owner);
    return { end: 'failed', allDone: false, error: how.writeFailure.error };
  }
  if (how.lost) {
    // Gives the shard back if this worker still holds it (its batch was stopped) so the batch
    // can be finalized now, not when the lease lapses; a no-op if another worker took it.
    await store.shards.release(shard.batchId, shard.index, owner);
    return { end: 'lost', allDone: false };
  }
  if (how.stopped || (how.drained && succeeded + failed < shard.requestCount)) {
    await store.shards.recordProgress(shard.batchId, shard.index, owner, succeeded, failed, usage);
    await store.shards.release(shard.batchId, shard.index, owner);
    return { end: 'stopped', allDone: false };
  }
  const { completed, allDone } = await store.shards.complete(shard.batchId, shard.index, owner, succeeded, failed, usage);
  return { end: completed ? 'completed' : 'lost', allDone };
}

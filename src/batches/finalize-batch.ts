/**
 * Writes a batch's results once no more of its requests will run, reading the shards' output
 * logs one shard in memory at a time:
 *
 * - A native batch (native-results.ts): one JSONL blob in input order, with an error line for
 *   every request that has no result (CANCELLED for a cancelled batch, DEADLINE_EXCEEDED for an
 *   expired one, the batch's error for a failed one: unrun-requests.ts), so every key appears
 *   exactly once. File batches get the blob as a GENERATED file `files/batch-<id>`.
 * - A batch created through the OpenAI-compatible surface (`openai` set; openai-results.ts): two
 *   blobs in OpenAI's line format, the output file `files/batch-<id>` (the successes) and the
 *   error file `files/batch-<id>-errors` (the failures and the requests that never ran, as
 *   `batch_cancelled` / `batch_expired` / `batch_failed`), each registered only when it has
 *   lines; the batch's resultsBlobKey is the output blob, or the error blob when all failed.
 *
 * A running batch then becomes SUCCEEDED; a stopping one the CANCELLED/EXPIRED/FAILED its stop
 * request asked for. The terminal state, the final counts and the results files are recorded in
 * one store transaction, after the blobs are completely written: nobody ever sees a terminal
 * batch without its output. A batch that is terminal without results (an OpenAI batch whose
 * input failed validation) has nothing to write and is left as it is.
 *
 * Safe to run twice at once or again after a crash: each run writes its own blobs, and the
 * store records exactly one run (compare-and-set); a losing or failing run deletes its blobs (a
 * full disk or an unreachable S3 leaves the batch as it was, and the workers' sweep tries again).
 */
import { randomUUID } from 'node:crypto';
import { errorFileId, isTerminal, resultsFileId, type BatchRecord } from '../core/batch.js';
import { batchCachesKey, resultsKey, shardLogsPrefix } from '../core/blob-keys.js';
import type { FileRecord } from '../core/file.js';
import type { EngineEvents } from '../core/engine-events.js';
import type { Clock } from '../lib/clock.js';
import type { BlobStore } from '../store/blob-store.js';
import type { BatchStateUpdate, Store } from '../store/store.js';
import { writeNativeResults, type ResultsTally } from './native-results.js';
import { writeOpenAIResults } from './openai-results.js';
import type { WrittenBlob } from './results-blob.js';
import { unrunStatus } from './unrun-requests.js';

export interface FinalizeDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  /** How long the results file is kept (the Files API retention). */
  fileRetentionMs: number;
  /** Told when this run's results are the ones recorded (metrics, the operator's log). */
  events?: EngineEvents;
}

/** What a finalize run wrote: its blobs, the counts, and the files to register with them. */
interface WrittenResults {
  tally: ResultsTally;
  /** Every blob this run wrote (removed again when it loses). */
  blobKeys: string[];
  resultsBlobKey: string;
  files: FileRecord[];
}

/** Resolves the final record, or undefined when the batch is gone. */
export async function finalizeBatch(batchId: string, deps: FinalizeDeps): Promise<BatchRecord | undefined> {
  const { store, blobs, clock } = deps;
  const found = await store.batches.getById(batchId);
  // A batch terminal without results (an OpenAI batch that failed validation) has none to write.
  if (!found || found.resultsBlobKey !== undefined || isTerminal(found.state)) return found;
  const batch = found;
  const shards = await store.shards.listForBatch(batchId);
  const unrun = unrunStatus(batch, batch.stopState ?? batch.state);
  const attempt = randomUUID();
  const startedMs = clock.now();

  const fileOf = (id: string, suffix: string, blob: WrittenBlob, now: number): FileRecord => ({
    id, tenantId: batch.tenantId, displayName: `${batch.displayName || batch.id} ${suffix}`,
    mimeType: 'application/jsonl', sizeBytes: blob.sizeBytes, sha256Hex: blob.sha256Hex, state: 'ACTIVE', source: 'GENERATED',
    blobKey: blob.key, createTimeMs: now, updateTimeMs: now, expirationTimeMs: now + deps.fileRetentionMs,
  });

  const write = async (): Promise<WrittenResults> => {
    if (batch.openai) {
      const written = await writeOpenAIResults(batch, shards, blobs, {
        outputKey: resultsKey(batchId, attempt), errorKey: resultsKey(batchId, `${attempt}-errors`), unrun, created: Math.floor(startedMs / 1000),
      });
      const { tally, output, errors } = written;
      // A file is registered only when it has lines; an empty blob is not kept.
      const now = clock.now();
      const files = [
        ...(tally.succeeded > 0 ? [fileOf(resultsFileId(batch.id), 'output', output, now)] : []),
        ...(tally.failed > 0 ? [fileOf(errorFileId(batch.id), 'errors', errors, now)] : []),
      ];
      const kept = files.length > 0 ? files.map((file) => file.blobKey) : [output.key];
      for (const blob of [output, errors]) if (!kept.includes(blob.key)) await blobs.delete(blob.key).catch(() => undefined);
      return { tally, blobKeys: kept, resultsBlobKey: kept[0] ?? output.key, files };
    }
    const { tally, blob } = await writeNativeResults(batch, shards, blobs, resultsKey(batchId, attempt), unrun);
    const files = batch.inputKind === 'file' ? [fileOf(resultsFileId(batch.id), 'results', blob, clock.now())] : [];
    return { tally, blobKeys: [blob.key], resultsBlobKey: blob.key, files };
  };
  // A failure while writing (a shard log unreadable, the disk full) leaves no blob behind.
  const written = await write();
  const deleteWritten = async (): Promise<void> => {
    for (const key of written.blobKeys) await blobs.delete(key).catch(() => undefined);
  };

  const now = clock.now();
  const { tally, files } = written;
  const output = files.find((file) => file.id === resultsFileId(batch.id));
  const fields: BatchStateUpdate & { resultsBlobKey: string } = {
    succeededCount: tally.succeeded, failedCount: tally.failed, resultsBlobKey: written.resultsBlobKey,
    endTimeMs: batch.endTimeMs ?? now, usage: tally.usage, ...(output ? { outputFileId: output.id } : {}),
  };
  let won: boolean;
  try {
    won = await store.batches.recordResults(batchId, now, fields, files);
  } catch (error) {
    // A connection lost during COMMIT leaves it unknown whether the results were recorded: the
    // blobs are removed only once the store says they were not (else, at worst, orphan blobs).
    const stored = await store.batches.getById(batchId).catch(() => 'unknown' as const);
    if (stored !== 'unknown' && stored?.resultsBlobKey !== written.resultsBlobKey) await deleteWritten();
    throw error;
  }
  if (!won) {
    await deleteWritten();
    return store.batches.getById(batchId);
  }
  const finalizeMs = clock.now() - startedMs;
  // The state recorded is the stop request's (read again: one may have landed meanwhile), or SUCCEEDED.
  const final = await store.batches.getById(batchId).catch(() => undefined);
  const state = final?.state ?? batch.stopState ?? 'BATCH_STATE_SUCCEEDED';
  deps.events?.batchFinished({
    tenantId: batch.tenantId, batchId, model: batch.model, state, requestCount: batch.requestCount,
    succeeded: tally.succeeded, failed: tally.failed, usage: tally.usage, durationMs: (fields.endTimeMs ?? now) - batch.createTimeMs, finalizeMs,
  });
  // The results files now hold everything: the input copy, the shard logs and the frozen caches can go.
  await blobs.deletePrefix(shardLogsPrefix(batchId));
  await blobs.delete(batch.inputBlobKey);
  await blobs.delete(batchCachesKey(batchId));
  return final ?? store.batches.getById(batchId);
}

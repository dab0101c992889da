/**
 * Writes a batch's results once no more of its requests will run: the shards' output logs are
 * merged into one JSONL blob in input order (one shard in memory at a time), with an error
 * line for every request that has no result (CANCELLED for a cancelled batch,
 * DEADLINE_EXCEEDED for an expired one, the batch's error for a failed one), so every key
 * appears exactly once. File batches get
 * the blob as a GENERATED file `files/batch-<id>`. A running batch then becomes SUCCEEDED.
 *
 * The terminal state (SUCCEEDED, or the CANCELLED/EXPIRED/FAILED a stop request asked for), the final
 * counts and the results file are recorded in one store transaction, after the results blob is
 * completely written: nobody ever sees a terminal batch without its output.
 *
 * Safe to run twice at once or again after a crash: each run writes its own blob, and the
 * store records exactly one (compare-and-set); a losing or failing run deletes its blob (a full
 * disk or an unreachable S3 leaves the batch as it was, and the workers' sweep tries again).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { resultsFileId, type BatchRecord, type ShardRecord } from '../core/batch.js';
import { resultsKey, shardLogsPrefix } from '../core/blob-keys.js';
import type { RpcStatusName } from '../core/errors.js';
import type { FileRecord } from '../core/file.js';
import { addUsage, emptyUsage } from '../core/usage.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import type { Clock } from '../lib/clock.js';
import { isBlank, readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { errorLine, rpcStatus, type RequestIdentity } from './result-line.js';
import { readShardOutput } from './shard-log.js';

export interface FinalizeDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  /** How long the results file is kept (the Files API retention). */
  fileRetentionMs: number;
}

const UNRUN: Partial<Record<BatchRecord['state'], { status: RpcStatusName; message: string }>> = {
  BATCH_STATE_CANCELLED: { status: 'CANCELLED', message: 'The batch was cancelled before this request ran.' },
  BATCH_STATE_EXPIRED: { status: 'DEADLINE_EXCEEDED', message: "The batch's completion window ended before this request ran." },
};
const MISSING = { status: 'INTERNAL' as const, message: 'The request produced no result.' };
const NEWLINE = Buffer.from('\n');

/** Resolves the final record, or undefined when the batch is gone. */
export async function finalizeBatch(batchId: string, deps: FinalizeDeps): Promise<BatchRecord | undefined> {
  const { store, blobs, clock } = deps;
  const found = await store.batches.getById(batchId);
  if (!found || found.resultsBlobKey !== undefined) return found;
  const batch = found;
  const shards = await store.shards.listForBatch(batchId);
  const finalState = batch.stopState ?? batch.state;
  const unrun = finalState === 'BATCH_STATE_FAILED' && batch.error
    ? { status: (batch.error.status ?? 'INTERNAL') as RpcStatusName, message: batch.error.message }
    : UNRUN[finalState] ?? MISSING;
  const key = resultsKey(batchId, randomUUID());

  const hash = createHash('sha256');
  let sizeBytes = 0;
  let succeeded = 0;
  let failed = 0;
  const usage = emptyUsage();
  /** One shard's lines in order, joined into one buffer: one hash update and one write per shard. */
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const shard of shards) {
      const output = await readShardOutput(blobs, shard);
      succeeded += output.succeeded;
      failed += output.failed;
      addUsage(usage, output.usage);
      const identities = output.succeeded + output.failed < shard.requestCount ? await readIdentities(batch, shard, blobs) : [];
      const parts: Buffer[] = [];
      for (let position = 0; position < shard.requestCount; position++) {
        const line = output.lines[position];
        if (line) {
          parts.push(line, NEWLINE);
        } else {
          failed++;
          parts.push(Buffer.from(`${errorLine(identities[position] ?? {}, rpcStatus(unrun.status, unrun.message), batch.inputKind)}\n`));
        }
      }
      const chunk = Buffer.concat(parts);
      hash.update(chunk);
      sizeBytes += chunk.length;
      yield chunk;
    }
  }
  // The blob store pulls the chunks with back-pressure; a failure on either side (a shard log
  // unreadable, the disk full) rejects here, and the partial blob is removed.
  try {
    await blobs.append(key, Readable.from(chunks(), { objectMode: false }));
  } catch (error) {
    await blobs.delete(key).catch(() => undefined);
    throw error;
  }

  const now = clock.now();
  const fields = { succeededCount: succeeded, failedCount: failed, resultsBlobKey: key, endTimeMs: batch.endTimeMs ?? now, usage };
  let file: FileRecord | undefined;
  if (batch.inputKind === 'file') {
    file = {
      id: resultsFileId(batch.id), tenantId: batch.tenantId, displayName: `${batch.displayName || batch.id} results`,
      mimeType: 'application/jsonl', sizeBytes, sha256Hex: hash.digest('hex'), state: 'ACTIVE', source: 'GENERATED',
      blobKey: key, createTimeMs: now, updateTimeMs: now, expirationTimeMs: now + deps.fileRetentionMs,
    };
  }
  let won: boolean;
  try {
    won = await store.batches.recordResults(batchId, now, { ...fields, ...(file ? { outputFileId: file.id } : {}) }, file);
  } catch (error) {
    // A connection lost during COMMIT leaves it unknown whether the results were recorded: the
    // blob is removed only once the store says they were not (else, at worst, an orphan blob).
    const stored = await store.batches.getById(batchId).catch(() => 'unknown' as const);
    if (stored !== 'unknown' && stored?.resultsBlobKey !== key) await blobs.delete(key).catch(() => undefined);
    throw error;
  }
  if (won) {
    // The results file now holds everything: the input copy and the shard logs can go.
    await blobs.deletePrefix(shardLogsPrefix(batchId));
    await blobs.delete(batch.inputBlobKey);
  } else {
    await blobs.delete(key);
  }
  return store.batches.getById(batchId);
}

/** Keys and metadata of a shard's requests, for the error lines of those that did not run. */
async function readIdentities(batch: BatchRecord, shard: ShardRecord, blobs: BlobStore): Promise<RequestIdentity[]> {
  const identities: RequestIdentity[] = [];
  const input = await blobs.read(batch.inputBlobKey, { start: shard.byteStart, end: shard.byteEnd - 1 });
  for await (const line of readLines(input)) {
    if (isBlank(line.bytes)) continue;
    try {
      const parsed = parseBatchLine(line.bytes.toString('utf8'), batch.kind);
      identities.push({ key: parsed.key, metadata: parsed.metadata });
    } catch {
      identities.push({});
    }
  }
  return identities;
}

/**
 * The results of a native batch: the shards' output logs merged into one JSONL blob in input
 * order (shard-results.ts: a small log or two in memory at a time, a large one read back by
 * range), the result lines' bytes copied as they were logged
 * (no JSON work), with an error line (unrun-requests.ts) for every request that has no result,
 * so every key appears exactly once. Counts and token usage are summed on the way.
 */
import type { BatchRecord, ShardRecord } from '../core/batch.js';
import type { RpcStatus } from '../core/gemini-types.js';
import { addUsage, emptyUsage, type TokenUsage } from '../core/usage.js';
import type { BlobStore } from '../store/blob-store.js';
import { errorLine } from './result-line.js';
import { writeResultsBlob, type WrittenBlob } from './results-blob.js';
import type { ShardOutput } from './shard-log.js';
import { readShardForResults, resultsInOrder } from './shard-results.js';
import { readIdentities } from './unrun-requests.js';
import { PieceBuilder } from './piece-builder.js';

/** Final counts of a batch's results. */
export interface ResultsTally {
  succeeded: number;
  failed: number;
  usage: TokenUsage;
}

/** About how many bytes of results are written at a time. */
const CHUNK_BYTES = 1024 * 1024;

export async function writeNativeResults(
  batch: BatchRecord, shards: readonly ShardRecord[], blobs: BlobStore, key: string, unrun: RpcStatus,
): Promise<{ tally: ResultsTally; blob: WrittenBlob }> {
  const tally: ResultsTally = { succeeded: 0, failed: 0, usage: emptyUsage() };
  /**
   * The shards' result bytes in input order, copied as they are (no JSON work) into pieces of
   * about CHUNK_BYTES: one hash update and one write per piece, memory bounded by two shards' logs.
   */
  async function* chunks(): AsyncGenerator<Buffer> {
    const pieces = new PieceBuilder(CHUNK_BYTES);
    // The next shard's log is read while this one's lines are written (two logs in memory at most).
    const read = (index: number): Promise<ShardOutput> | undefined => {
      const shard = shards[index];
      if (!shard) return undefined;
      const reading = readShardForResults(blobs, shard);
      reading.catch(() => undefined); // awaited below; not an unhandled rejection if the write stops first
      return reading;
    };
    let next = read(0);
    for (const [index, shard] of shards.entries()) {
      const output = await (next ?? readShardForResults(blobs, shard));
      next = read(index + 1);
      tally.succeeded += output.succeeded;
      tally.failed += output.failed;
      addUsage(tally.usage, output.usage);
      const identities = output.succeeded + output.failed < shard.requestCount ? await readIdentities(batch, shard, blobs) : [];
      const unrunLine = (position: number): Buffer => {
        tally.failed++;
        return Buffer.from(errorLine(identities[position] ?? {}, unrun, batch.inputKind));
      };
      const { bytes: log, starts, ends } = output;
      if (log) {
        // A kept log (the common case): each result copied by its offsets, no await and no Buffer per line.
        for (let position = 0; position < shard.requestCount; position++) {
          const start = starts[position] ?? -1;
          const piece = start < 0 ? pieces.addLine(unrunLine(position)) : pieces.addLine(log, start, ends[position]);
          if (piece) yield piece;
        }
        continue;
      }
      let position = 0;
      for await (const logged of resultsInOrder(blobs, shard, output)) {
        const piece = pieces.addLine(logged ?? unrunLine(position));
        position++;
        if (piece) yield piece;
      }
    }
    const last = pieces.take();
    if (last) yield last;
  }
  const blob = await writeResultsBlob(blobs, key, chunks());
  return { tally, blob };
}

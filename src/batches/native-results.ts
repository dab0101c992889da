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

/** Final counts of a batch's results. */
export interface ResultsTally {
  succeeded: number;
  failed: number;
  usage: TokenUsage;
}

const NEWLINE = Buffer.from('\n');
/** About how many bytes of results are written at a time. */
const CHUNK_BYTES = 1024 * 1024;

export async function writeNativeResults(
  batch: BatchRecord, shards: readonly ShardRecord[], blobs: BlobStore, key: string, unrun: RpcStatus,
): Promise<{ tally: ResultsTally; blob: WrittenBlob }> {
  const tally: ResultsTally = { succeeded: 0, failed: 0, usage: emptyUsage() };
  /**
   * The shards' result bytes in input order, copied as they are (no JSON work), in pieces of
   * about CHUNK_BYTES: one hash update and one write per piece, memory bounded by two shards' logs.
   */
  async function* chunks(): AsyncGenerator<Buffer> {
    let parts: Buffer[] = [];
    let size = 0;
    const add = (bytes: Buffer): Buffer | undefined => {
      parts.push(bytes, NEWLINE);
      size += bytes.length + 1;
      if (size < CHUNK_BYTES) return undefined;
      const piece = Buffer.concat(parts, size);
      parts = [];
      size = 0;
      return piece;
    };
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
      let position = 0;
      const lineOf = (logged: Buffer | undefined): Buffer => {
        const at = position++;
        if (logged) return logged;
        tally.failed++;
        return Buffer.from(errorLine(identities[at] ?? {}, unrun, batch.inputKind));
      };
      if (output.lines) {
        // A kept log (the common case): its lines handed out without an await per line.
        for (let index = 0; index < shard.requestCount; index++) {
          const piece = add(lineOf(output.lines[index]));
          if (piece) yield piece;
        }
        continue;
      }
      for await (const logged of resultsInOrder(blobs, shard, output)) {
        const piece = add(lineOf(logged));
        if (piece) yield piece;
      }
    }
    if (size > 0) yield Buffer.concat(parts, size);
  }
  const blob = await writeResultsBlob(blobs, key, chunks());
  return { tally, blob };
}

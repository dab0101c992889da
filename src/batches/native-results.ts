/**
 * The results of a native batch: the shards' output logs merged into one JSONL blob in input
 * order, one shard in memory at a time, with an error line (unrun-requests.ts) for every
 * request that has no result, so every key appears exactly once. Counts and token usage are
 * summed on the way.
 */
import type { BatchRecord, ShardRecord } from '../core/batch.js';
import type { RpcStatus } from '../core/gemini-types.js';
import { addUsage, emptyUsage, type TokenUsage } from '../core/usage.js';
import type { BlobStore } from '../store/blob-store.js';
import { errorLine } from './result-line.js';
import { writeResultsBlob, type WrittenBlob } from './results-blob.js';
import { readShardOutput } from './shard-log.js';
import { readIdentities } from './unrun-requests.js';

/** Final counts of a batch's results. */
export interface ResultsTally {
  succeeded: number;
  failed: number;
  usage: TokenUsage;
}

const NEWLINE = Buffer.from('\n');

export async function writeNativeResults(
  batch: BatchRecord, shards: readonly ShardRecord[], blobs: BlobStore, key: string, unrun: RpcStatus,
): Promise<{ tally: ResultsTally; blob: WrittenBlob }> {
  const tally: ResultsTally = { succeeded: 0, failed: 0, usage: emptyUsage() };
  /** One shard's lines in order, joined into one buffer: one hash update and one write per shard. */
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const shard of shards) {
      const output = await readShardOutput(blobs, shard);
      tally.succeeded += output.succeeded;
      tally.failed += output.failed;
      addUsage(tally.usage, output.usage);
      const identities = output.succeeded + output.failed < shard.requestCount ? await readIdentities(batch, shard, blobs) : [];
      const parts: Buffer[] = [];
      for (let position = 0; position < shard.requestCount; position++) {
        const line = output.lines[position];
        if (line) {
          parts.push(line, NEWLINE);
        } else {
          tally.failed++;
          parts.push(Buffer.from(`${errorLine(identities[position] ?? {}, unrun, batch.inputKind)}\n`));
        }
      }
      yield Buffer.concat(parts);
    }
  }
  const blob = await writeResultsBlob(blobs, key, chunks());
  return { tally, blob };
}

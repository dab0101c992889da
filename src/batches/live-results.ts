/**
 * Results while a batch runs: the result lines finished so far, read straight from the
 * shards' output logs (shard by shard, in completion order within a shard), and with `follow`
 * the new ones as they land. When the batch's results file appears, the lines not yet sent
 * are taken from it (including the error lines of requests a cancel or expiry left unrun), so
 * a follower sees every request exactly once. A finished batch streams its results file.
 */
import type { BatchRecord } from '../core/batch.js';
import { shardLogKey } from '../core/blob-keys.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { isWholeLine, parseLogLine } from './shard-log.js';

export interface LiveResultsDeps {
  store: Store;
  blobs: BlobStore;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often `follow` looks for new results. */
  pollMs: number;
}

const NEWLINE = Buffer.from('\n');

export async function* streamResults(
  deps: LiveResultsDeps,
  first: BatchRecord,
  options: { follow: boolean; signal: AbortSignal },
): AsyncGenerator<Buffer> {
  const { store, blobs } = deps;
  const sent = new Uint8Array(first.requestCount);
  const offsets = new Map<number, number>();
  let batch: BatchRecord | undefined = first;
  while (batch && !batch.resultsBlobKey) {
    for (const shard of await store.shards.listForBatch(first.id)) {
      const key = shardLogKey(first.id, shard.index);
      const from = offsets.get(shard.index) ?? 0;
      const size = await blobs.size(key);
      if (size === undefined || size <= from) continue;
      let stream;
      try {
        stream = await blobs.read(key, { start: from, end: size - 1 });
      } catch {
        continue; // removed by finalization: the results file has it
      }
      for await (const line of readLines(stream, from)) {
        if (!isWholeLine(line)) break; // a line still being written
        offsets.set(shard.index, line.end);
        const entry = parseLogLine(line.bytes);
        if (!entry || entry.requestIndex >= sent.length || sent[entry.requestIndex] === 1) continue;
        sent[entry.requestIndex] = 1;
        yield Buffer.concat([entry.resultLine, NEWLINE]);
      }
    }
    if (!options.follow) return;
    try {
      await deps.sleep(deps.pollMs, options.signal);
    } catch {
      return;
    }
    batch = await store.batches.getById(first.id);
  }
  if (!batch?.resultsBlobKey) return;
  let index = 0;
  for await (const line of readLines(await blobs.read(batch.resultsBlobKey))) {
    if (sent[index++] !== 1) yield Buffer.concat([line.bytes, NEWLINE]);
  }
}

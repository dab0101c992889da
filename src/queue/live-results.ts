/**
 * Results while a batch runs: the result lines finished so far, read straight from the
 * shards' output logs (shard by shard, in completion order within a shard), and with `follow`
 * the new ones as they land, until the batch's results file is written. A finished batch
 * streams its results file (input order, every request). While running, a line may repeat in
 * the rare case that a worker lost its lease mid-write; the final file has each key once.
 */
import type { BatchRecord } from '../core/batch.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { shardOutputKey } from './shard-output.js';

export interface LiveResultsDeps {
  store: Store;
  blobs: BlobStore;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often `follow` looks for new results. */
  pollMs: number;
}

const TAB = 0x09;
const NEWLINE = Buffer.from('\n');

export async function* streamResults(
  deps: LiveResultsDeps,
  first: BatchRecord,
  options: { follow: boolean; signal: AbortSignal },
): AsyncGenerator<Buffer> {
  const { store, blobs } = deps;
  if (first.resultsBlobKey) {
    yield* (await blobs.read(first.resultsBlobKey)) as AsyncIterable<Buffer>;
    return;
  }
  const offsets = new Map<number, number>();
  for (;;) {
    const batch = await store.batches.getById(first.id);
    const finished = batch?.resultsBlobKey !== undefined;
    for (const shard of await store.shards.listForBatch(first.id)) {
      const key = shardOutputKey(first.id, shard.index);
      const from = offsets.get(shard.index) ?? 0;
      const size = await blobs.size(key);
      if (size === undefined || size <= from) continue;
      let stream;
      try {
        stream = await blobs.read(key, { start: from, end: size - 1 });
      } catch {
        continue; // removed after finalization; the loop ends below
      }
      for await (const line of readLines(stream, from)) {
        if (line.end > line.start + line.bytes.length) {
          // A whole line: drop the `<index>\t<s|f>\t` prefix.
          const tab = line.bytes.indexOf(TAB);
          yield Buffer.concat([line.bytes.subarray(tab + 3), NEWLINE]);
          offsets.set(shard.index, line.end);
        }
      }
    }
    if (!options.follow || finished || !batch) return;
    try {
      await deps.sleep(deps.pollMs, options.signal);
    } catch {
      return;
    }
  }
}

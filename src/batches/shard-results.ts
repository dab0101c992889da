/**
 * A shard's result lines in input order, for finalization, in bounded memory whatever their
 * size. A small log (KEEP_BYTES_UP_TO, the common case: a thousand text results) is read whole
 * once and its lines handed out by position. A large one (image results: a thousand lines of
 * half a megabyte) is read back by byte range from the offsets `readShardOutput` recorded,
 * consecutive results that lie close together in the log read in one range of at most
 * RANGE_BYTES, so memory holds one range (or one result larger than it), not the log.
 */
import type { ShardRecord } from '../core/batch.js';
import { shardLogKey } from '../core/blob-keys.js';
import type { BlobStore } from '../store/blob-store.js';
import { readBlobBytes } from '../store/read-blob.js';
import { keptResultLine, readShardOutput, type ShardOutput } from './shard-log.js';

/** Logs up to this size are read whole. */
export const KEEP_BYTES_UP_TO = 32 * 1024 * 1024;
/** The largest range read at once from a larger log. */
const RANGE_BYTES = 8 * 1024 * 1024;
/** Results this close together in the log share a range (the bytes between are read and dropped). */
const GAP_BYTES = 64 * 1024;

/** Reads a shard's log for finalization: its bytes kept when it is small. */
export const readShardForResults = (blobs: BlobStore, shard: ShardRecord, keepBytesUpTo = KEEP_BYTES_UP_TO): Promise<ShardOutput> =>
  readShardOutput(blobs, shard, { keepBytesUpTo });

/** Each position's result line (undefined: not done), in order. */
export async function* resultsInOrder(blobs: BlobStore, shard: ShardRecord, output: ShardOutput): AsyncGenerator<Buffer | undefined> {
  const { starts, ends, bytes } = output;
  if (bytes) {
    for (let position = 0; position < shard.requestCount; position++) yield keptResultLine(output, position);
    return;
  }
  const key = shardLogKey(shard.batchId, shard.index);
  let position = 0;
  while (position < shard.requestCount) {
    const start = starts[position] ?? -1;
    if (start < 0) {
      yield undefined;
      position++;
      continue;
    }
    // The run of following done positions whose results lie just after this one in the log.
    let last = position;
    let end = ends[position] ?? start;
    while (last + 1 < shard.requestCount) {
      const nextStart = starts[last + 1] ?? -1;
      const nextEnd = ends[last + 1] ?? 0;
      if (nextStart < end || nextStart - end > GAP_BYTES || nextEnd - start > RANGE_BYTES) break;
      last++;
      end = nextEnd;
    }
    const range = await readRange(blobs, key, start, end);
    for (let at = position; at <= last; at++) yield range.subarray((starts[at] ?? 0) - start, (ends[at] ?? 0) - start);
    position = last + 1;
  }
}

async function readRange(blobs: BlobStore, key: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const range = await readBlobBytes(blobs, key, { start, end: end - 1 });
  if (range.length !== end - start) throw new Error(`shard log ${key}: read ${range.length} bytes of the range ${start}–${end}`);
  return range;
}

/**
 * A shard's output log: one line per finished request, appended as requests finish (in any
 * order): `<request index>\t<s|f>\t<result line JSON>\n` (s = succeeded, f = failed). A worker
 * taking over a shard reads the log to skip what is done; a torn last line (the writer died
 * mid-write) is ignored and cut off. Finalization reads it back to order results.
 */
import type { ShardRecord } from '../core/batch.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';

export const shardOutputKey = (batchId: string, index: number): string => `batches/${batchId}/shards/${index}.log`;

export function encodeOutputLine(requestIndex: number, succeeded: boolean, resultLine: string): string {
  return `${requestIndex}\t${succeeded ? 's' : 'f'}\t${resultLine}\n`;
}

export interface ShardOutput {
  /** Result lines by position in the shard (requestIndex - firstRequest); undefined = not done. */
  lines: (Buffer | undefined)[];
  succeeded: number;
  failed: number;
  /** Bytes of whole lines; anything after is a torn write. */
  validBytes: number;
}

const TAB = 0x09;

export async function readShardOutput(blobs: BlobStore, shard: ShardRecord): Promise<ShardOutput> {
  const output: ShardOutput = { lines: new Array<Buffer | undefined>(shard.requestCount), succeeded: 0, failed: 0, validBytes: 0 };
  const key = shardOutputKey(shard.batchId, shard.index);
  if ((await blobs.size(key)) === undefined) return output;
  for await (const line of readLines(await blobs.read(key))) {
    const firstTab = line.bytes.indexOf(TAB);
    const complete = line.end > line.start + line.bytes.length; // ended with a newline
    if (!complete || firstTab === -1 || line.bytes[firstTab + 2] !== TAB) break;
    const position = Number(line.bytes.subarray(0, firstTab).toString()) - shard.firstRequest;
    if (!(position >= 0 && position < shard.requestCount)) break;
    if (output.lines[position] === undefined) {
      if (line.bytes[firstTab + 1] === 0x73 /* s */) output.succeeded++;
      else output.failed++;
    }
    output.lines[position] = line.bytes.subarray(firstTab + 3);
    output.validBytes = line.end;
  }
  return output;
}

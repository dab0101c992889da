/**
 * A shard's output log: one line per finished request, appended as requests finish (in any
 * order): `<request index>\t<s|f>\t<usage>\t<result line JSON>\n` (s = succeeded, f = failed;
 * usage = `prompt,candidates,thoughts,cached,total` tokens, empty when none was reported). A worker
 * taking over a shard reads the log to skip what is done; a torn last line (the writer died
 * mid-write) is ignored and cut off. Finalization reads it back to order results.
 */
import type { ShardRecord } from '../core/batch.js';
import { addUsage, decodeUsage, emptyUsage, encodeUsage, type TokenUsage } from '../core/usage.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';

export const shardOutputKey = (batchId: string, index: number): string => `batches/${batchId}/shards/${index}.log`;

export function encodeOutputLine(requestIndex: number, succeeded: boolean, resultLine: string, usage?: Partial<TokenUsage>): string {
  return `${requestIndex}\t${succeeded ? 's' : 'f'}\t${encodeUsage(usage)}\t${resultLine}\n`;
}

/** Where the result line starts within a log line (after the third tab), or -1 for a torn line. */
export function resultLineStart(line: Buffer): number {
  const first = line.indexOf(TAB);
  if (first === -1 || line[first + 2] !== TAB) return -1;
  const third = line.indexOf(TAB, first + 3);
  return third === -1 ? -1 : third + 1;
}

export interface ShardOutput {
  /** Result lines by position in the shard (requestIndex - firstRequest); undefined = not done. */
  lines: (Buffer | undefined)[];
  succeeded: number;
  failed: number;
  usage: TokenUsage;
  /** Bytes of whole lines; anything after is a torn write. */
  validBytes: number;
  /** The log's size when it was read (undefined: no log yet), to cut a torn write off. */
  storedBytes: number | undefined;
}

const TAB = 0x09;

export async function readShardOutput(blobs: BlobStore, shard: ShardRecord): Promise<ShardOutput> {
  const key = shardOutputKey(shard.batchId, shard.index);
  const storedBytes = await blobs.size(key);
  const output: ShardOutput = {
    lines: new Array<Buffer | undefined>(shard.requestCount), succeeded: 0, failed: 0, usage: emptyUsage(), validBytes: 0, storedBytes,
  };
  if (storedBytes === undefined) return output;
  for await (const line of readLines(await blobs.read(key))) {
    const complete = line.end > line.start + line.bytes.length; // ended with a newline
    const start = resultLineStart(line.bytes);
    if (!complete || start === -1) break;
    const firstTab = line.bytes.indexOf(TAB);
    const position = Number(line.bytes.subarray(0, firstTab).toString()) - shard.firstRequest;
    if (!(position >= 0 && position < shard.requestCount)) break;
    if (output.lines[position] === undefined) {
      if (line.bytes[firstTab + 1] === 0x73 /* s */) output.succeeded++;
      else output.failed++;
      const usage = decodeUsage(line.bytes.subarray(firstTab + 3, start - 1).toString());
      if (usage) addUsage(output.usage, usage);
    }
    output.lines[position] = line.bytes.subarray(start);
    output.validBytes = line.end;
  }
  return output;
}

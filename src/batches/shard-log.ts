/**
 * A shard's output log: one line per finished request, appended as requests finish (in any
 * order): `<request index>\t<s|f>\t<usage>\t<result line JSON>\n` (s = succeeded, f = failed;
 * usage = `prompt,candidates,thoughts,cached,total` tokens, empty when none was reported). A worker
 * taking over a shard reads the log to skip what is done; a torn last line (the writer died
 * mid-write) is ignored and cut off. Finalization reads it back to order results; live results
 * read it while the batch runs. This module is the only one that knows the line format.
 */
import type { ShardRecord } from '../core/batch.js';
import { shardLogKey } from '../core/blob-keys.js';
import { addUsage, decodeUsage, emptyUsage, encodeUsage, type TokenUsage } from '../core/usage.js';
import { readLines, type Line } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';

/** Separates the fields of a log line. */
export const FIELD_SEPARATOR = '\t';
/** The outcome field of a succeeded request; a failed one has `f`. */
export const SUCCEEDED_MARK = 's';
export const FAILED_MARK = 'f';

const TAB = FIELD_SEPARATOR.charCodeAt(0);
const SUCCEEDED = SUCCEEDED_MARK.charCodeAt(0);

export function encodeOutputLine(requestIndex: number, succeeded: boolean, resultLine: string, usage?: Partial<TokenUsage>): string {
  const mark = succeeded ? SUCCEEDED_MARK : FAILED_MARK;
  return `${requestIndex}${FIELD_SEPARATOR}${mark}${FIELD_SEPARATOR}${encodeUsage(usage)}${FIELD_SEPARATOR}${resultLine}\n`;
}

/** One parsed log line. */
export interface LogEntry {
  /** The request's index in the batch (not in the shard). */
  requestIndex: number;
  succeeded: boolean;
  /** Tokens the request used, when the backend reported them. */
  usage: Partial<TokenUsage> | undefined;
  /** The result line (JSON, no newline), a view into the log line's bytes. */
  resultLine: Buffer;
}

/** Whether a line read from a log ended with its newline (else it is still being written, or torn). */
export const isWholeLine = (line: Line): boolean => line.end > line.start + line.bytes.length;

/** Parses one log line (without its newline); undefined when it is not a well-formed entry. */
export function parseLogLine(bytes: Buffer): LogEntry | undefined {
  const first = bytes.indexOf(TAB);
  if (first <= 0 || bytes[first + 2] !== TAB) return undefined;
  const third = bytes.indexOf(TAB, first + 3);
  if (third === -1) return undefined;
  const requestIndex = Number(bytes.subarray(0, first).toString());
  if (!Number.isInteger(requestIndex) || requestIndex < 0) return undefined;
  return {
    requestIndex,
    succeeded: bytes[first + 1] === SUCCEEDED,
    usage: decodeUsage(bytes.subarray(first + 3, third).toString()),
    resultLine: bytes.subarray(third + 1),
  };
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

/**
 * Reads a shard's log up to its first torn or foreign line. A request logged twice (a retry
 * after a lost lease) counts once; its later line wins.
 */
export async function readShardOutput(blobs: BlobStore, shard: ShardRecord): Promise<ShardOutput> {
  const key = shardLogKey(shard.batchId, shard.index);
  const storedBytes = await blobs.size(key);
  const output: ShardOutput = {
    lines: new Array<Buffer | undefined>(shard.requestCount), succeeded: 0, failed: 0, usage: emptyUsage(), validBytes: 0, storedBytes,
  };
  if (storedBytes === undefined) return output;
  for await (const line of readLines(await blobs.read(key))) {
    const entry = isWholeLine(line) ? parseLogLine(line.bytes) : undefined;
    if (!entry) break;
    const position = entry.requestIndex - shard.firstRequest;
    if (!(position >= 0 && position < shard.requestCount)) break;
    if (output.lines[position] === undefined) {
      if (entry.succeeded) output.succeeded++;
      else output.failed++;
      if (entry.usage) addUsage(output.usage, entry.usage);
    }
    output.lines[position] = entry.resultLine;
    output.validBytes = line.end;
  }
  return output;
}

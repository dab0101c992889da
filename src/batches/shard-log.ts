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
import { addEncodedUsage, addUsage, decodeUsage, emptyUsage, encodeUsage, type TokenUsage } from '../core/usage.js';
import { eachLineRange, readLines, type Line } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import { readBlobBytes } from '../store/read-blob.js';

/** Separates the fields of a log line. */
export const FIELD_SEPARATOR = '\t';
/** The outcome field of a succeeded request; a failed one has `f`. */
export const SUCCEEDED_MARK = 's';
export const FAILED_MARK = 'f';

const TAB = FIELD_SEPARATOR.charCodeAt(0);
const DIGIT_0 = 0x30;
const SUCCEEDED = SUCCEEDED_MARK.charCodeAt(0);
const NEWLINE = 0x0a;

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

/** The request index in `bytes[start, end)` (digits only), or -1 when it is not one. */
function readIndex(bytes: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let at = start; at < end; at++) {
    const digit = (bytes[at] ?? 0) - DIGIT_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Where the fields of the log line in `bytes[start, end)` are (offsets into `bytes`), written by `fieldsAt`. */
const FIELDS = { first: 0, third: 0, requestIndex: 0 };

/**
 * Finds the fields of the log line in `bytes[start, end)` into FIELDS (no object per line);
 * false when it is not well formed.
 */
function fieldsAt(bytes: Buffer, start: number, end: number): boolean {
  const first = bytes.indexOf(TAB, start);
  if (first <= start || first + 2 >= end || bytes[first + 2] !== TAB) return false;
  const third = bytes.indexOf(TAB, first + 3);
  if (third === -1 || third >= end) return false;
  const requestIndex = readIndex(bytes, start, first);
  if (requestIndex < 0) return false;
  FIELDS.first = first;
  FIELDS.third = third;
  FIELDS.requestIndex = requestIndex;
  return true;
}

/** Parses one log line (without its newline); undefined when it is not a well-formed entry. */
export function parseLogLine(bytes: Buffer): LogEntry | undefined {
  if (!fieldsAt(bytes, 0, bytes.length)) return undefined;
  const { first, third, requestIndex } = FIELDS;
  return {
    requestIndex,
    succeeded: bytes[first + 1] === SUCCEEDED,
    usage: decodeUsage(bytes.subarray(first + 3, third).toString()),
    resultLine: bytes.subarray(third + 1),
  };
}

export interface ShardOutput {
  /**
   * The whole log, for a log read with its bytes kept (`keepBytesUpTo`): each position's result
   * line is `bytes[starts[position], ends[position])`. Otherwise `resultsInOrder` reads the results
   * back from the log by range.
   */
  bytes: Buffer | undefined;
  /** Where each position (requestIndex - firstRequest) has its result bytes in the log (-1: not done), and where they end. */
  starts: Float64Array;
  ends: Float64Array;
  succeeded: number;
  failed: number;
  usage: TokenUsage;
  /** Bytes of whole lines; anything after is a torn write. */
  validBytes: number;
  /** The log's size when it was read (undefined: no log yet), to cut a torn write off. */
  storedBytes: number | undefined;
}

/** The result line at `position` of a log read with its bytes kept (undefined: not done, or not kept). */
export const keptResultLine = (output: ShardOutput, position: number): Buffer | undefined => {
  const start = output.starts[position] ?? -1;
  return start < 0 || !output.bytes ? undefined : output.bytes.subarray(start, output.ends[position]);
};

/** Whether the request at `position` has a result in the log. */
export const isDone = (output: ShardOutput, position: number): boolean => (output.starts[position] ?? -1) >= 0;

/**
 * Reads a shard's log up to its first torn or foreign line. A request logged twice (a retry
 * after a lost lease) counts once; its later line wins. The result bytes are kept in memory only
 * when the log is at most `keepBytesUpTo` bytes (default none: a taking-over worker needs only
 * which requests are done); a shard of large results (images) is then never held whole.
 */
export async function readShardOutput(blobs: BlobStore, shard: ShardRecord, options: { keepBytesUpTo?: number } = {}): Promise<ShardOutput> {
  const key = shardLogKey(shard.batchId, shard.index);
  const storedBytes = await blobs.size(key);
  const starts = new Float64Array(shard.requestCount).fill(-1);
  const ends = new Float64Array(shard.requestCount);
  const keep = storedBytes !== undefined && storedBytes <= (options.keepBytesUpTo ?? -1);
  const output: ShardOutput = {
    bytes: undefined, starts, ends, succeeded: 0, failed: 0, usage: emptyUsage(), validBytes: 0, storedBytes,
  };
  if (storedBytes === undefined) return output;
  /**
   * Takes the line `bytes[start, end)` (no newline), found at `base + start` in the log, whose
   * next line starts at `next` in the log. Once per request, so no object and no string: the
   * fields are read from the bytes.
   */
  const take = (bytes: Buffer, start: number, end: number, base: number, next: number): boolean => {
    if (!fieldsAt(bytes, start, end)) return false;
    const { first, third } = FIELDS;
    const position = FIELDS.requestIndex - shard.firstRequest;
    if (!(position >= 0 && position < shard.requestCount)) return false;
    if (starts[position] === -1) {
      if (bytes[first + 1] === SUCCEEDED) output.succeeded++;
      else output.failed++;
      addLoggedUsage(output.usage, bytes, first + 3, third);
    }
    starts[position] = base + third + 1;
    ends[position] = base + end;
    output.validBytes = next;
    return true;
  };
  if (keep) {
    // Kept whole anyway: read in one piece and split by offsets, with no await and no Buffer per line.
    const bytes = await readBlobBytes(blobs, key);
    output.bytes = bytes;
    // A last line without its newline is a torn write: not taken.
    eachLineRange(bytes, (start, end, next) => bytes[next - 1] === NEWLINE && take(bytes, start, end, 0, next));
    return output;
  }
  for await (const line of readLines(await blobs.read(key))) {
    if (!isWholeLine(line) || !take(line.bytes, 0, line.bytes.length, line.start, line.end)) break;
  }
  return output;
}

/** Adds a line's usage field to `total`: read from the bytes, or (an unusual value) decoded as text. */
function addLoggedUsage(total: TokenUsage, bytes: Buffer, start: number, end: number): void {
  if (end <= start || addEncodedUsage(total, bytes, start, end)) return;
  const usage = decodeUsage(bytes.subarray(start, end).toString());
  if (usage) addUsage(total, usage);
}

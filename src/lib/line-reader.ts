/**
 * Splits a byte stream into lines with `Buffer.indexOf` (no per-chunk strings; readline is
 * several times slower), tracking each line's byte range so that a shard can later re-read
 * exactly its lines. `\r\n` endings are accepted; a last line without `\n` counts.
 */

export interface Line {
  /** The line's bytes without the terminator (and without a trailing `\r`). */
  bytes: Buffer;
  /** 1-based physical line number. */
  number: number;
  /** Byte offset of the line's first byte in the stream (plus `baseOffset`). */
  start: number;
  /** Byte offset just past the line's terminator. */
  end: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export async function* readLines(source: AsyncIterable<Buffer | string>, baseOffset = 0): AsyncGenerator<Line> {
  let pending: Buffer | undefined;
  let offset = baseOffset;
  let number = 0;
  for await (const chunk of source) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (pending) {
      data = Buffer.concat([pending, data]);
      pending = undefined;
    }
    let from = 0;
    for (let at = data.indexOf(NEWLINE, from); at !== -1; at = data.indexOf(NEWLINE, from)) {
      const lineEnd = at > from && data[at - 1] === CARRIAGE_RETURN ? at - 1 : at;
      number++;
      yield { bytes: data.subarray(from, lineEnd), number, start: offset, end: offset + (at + 1 - from) };
      offset += at + 1 - from;
      from = at + 1;
    }
    if (from < data.length) pending = data.subarray(from);
  }
  if (pending && pending.length > 0) {
    const lineEnd = pending[pending.length - 1] === CARRIAGE_RETURN ? pending.length - 1 : pending.length;
    yield { bytes: pending.subarray(0, lineEnd), number: number + 1, start: offset, end: offset + pending.length };
  }
}

/**
 * The lines of `data`, a whole stream already in memory, split exactly as `readLines` splits
 * them but without an await, an object or a Buffer per line: `visit` gets each line's bytes as
 * `data[start, end)` (no newline, no carriage return before it) and where the next line starts
 * (`next`; `data.length` for a last line without a newline); it returns false to stop.
 */
export function eachLineRange(data: Buffer, visit: (start: number, end: number, next: number) => boolean): void {
  let from = 0;
  for (let at = data.indexOf(NEWLINE, from); at !== -1; at = data.indexOf(NEWLINE, from)) {
    const lineEnd = at > from && data[at - 1] === CARRIAGE_RETURN ? at - 1 : at;
    if (!visit(from, lineEnd, at + 1)) return;
    from = at + 1;
  }
  if (from < data.length) {
    const lineEnd = data[data.length - 1] === CARRIAGE_RETURN ? data.length - 1 : data.length;
    visit(from, lineEnd, data.length);
  }
}

/** Whether a line holds only whitespace (blank lines in JSONL input are skipped). */
export function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}

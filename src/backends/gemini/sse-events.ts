/**
 * Server-sent events → the `data` of each event, per the WHATWG parsing rules that matter here:
 * lines end in CRLF, LF or CR (Gemini sends CRLF), `data:` lines of one event join with "\n",
 * one space after the colon is dropped, comments and other fields are ignored, a blank line
 * ends an event. A last event not followed by a blank line is still delivered: a front end that
 * closes right after the final chunk should not lose it. Each character is scanned once, however
 * the chunks split a long line.
 */

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/** Yields the data of every event in a stream of text chunks (split anywhere). */
export async function* sseDataEvents(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  /** Where the unfinished line scanned so far ends (it has no terminator before this index). */
  let scanned = 0;
  let data: string[] = [];

  for await (const chunk of chunks) {
    buffer += chunk;
    let lineStart = 0;
    let index = scanned;
    for (; index < buffer.length; index++) {
      const code = buffer.charCodeAt(index);
      if (code !== LINE_FEED && code !== CARRIAGE_RETURN) continue;
      // A CR at the very end waits for the next chunk, which may bring its LF.
      if (code === CARRIAGE_RETURN && index + 1 === buffer.length) break;
      const line = buffer.slice(lineStart, index);
      if (code === CARRIAGE_RETURN && buffer.charCodeAt(index + 1) === LINE_FEED) index++;
      lineStart = index + 1;
      if (line === '') {
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else {
        const value = dataValue(line);
        if (value !== undefined) data.push(value);
      }
    }
    buffer = buffer.slice(lineStart);
    scanned = index - lineStart;
  }
  // What is left is one unterminated line (a CR held back for a LF that never came ends it).
  const last = buffer.endsWith('\r') ? buffer.slice(0, -1) : buffer;
  const value = last === '' ? undefined : dataValue(last);
  if (value !== undefined) data.push(value);
  if (data.length > 0) yield data.join('\n');
}

/** The value of a `data` field line, or undefined for comments and other fields. */
function dataValue(line: string): string | undefined {
  if (line === 'data') return '';
  if (!line.startsWith('data:')) return undefined;
  return line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
}

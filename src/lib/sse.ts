/**
 * Server-sent events from a stream of bytes or text: the one SSE parser of every backend, per
 * the WHATWG parsing rules that matter here. Lines end in CRLF, LF or CR (Gemini sends CRLF),
 * `data:` lines of one event join with "\n", one space after the colon is dropped, `event:` names
 * the event, comments (`:`) and other fields are ignored, a blank line ends an event. Beyond the
 * spec: llama.cpp reports a failure mid-stream as an `error:` line, which comes out as an event
 * named `error`; and a last event not followed by a blank line is still delivered (a front end
 * that closes right after the final chunk should not lose it). Bytes are decoded as UTF-8, a
 * character split across chunks kept whole; each character is scanned once, however the chunks
 * split a long line.
 */

/** One event: its name (`message` unless the server said otherwise) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/** Yields the events of `body` in order. */
export async function* readSseEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const fields = createEventBuilder();
  let buffer = '';
  /** Where the unfinished line scanned so far ends (it has no terminator before this index). */
  let scanned = 0;
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
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
      const finished = fields.readLine(line);
      if (finished !== undefined) yield finished;
    }
    buffer = buffer.slice(lineStart);
    scanned = index - lineStart;
  }
  buffer += decoder.decode();
  // What is left is one unterminated line (a CR held back for a LF that never came ends it).
  const last = buffer.endsWith('\r') ? buffer.slice(0, -1) : buffer;
  if (last !== '') fields.readLine(last);
  const finished = fields.readLine('');
  if (finished !== undefined) yield finished;
}

/** Collects the fields of one event at a time; a blank line hands the event over. */
function createEventBuilder(): { readLine(line: string): SseEvent | undefined } {
  let event = 'message';
  let data: string[] = [];
  return {
    readLine(line) {
      if (line === '') {
        const finished = data.length > 0 ? { event, data: data.join('\n') } : undefined;
        event = 'message';
        data = [];
        return finished;
      }
      if (line.startsWith(':')) return undefined;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'error') {
        event = 'error';
        data.push(value);
      }
      return undefined;
    },
  };
}

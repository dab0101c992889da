/**
 * Server-sent events from a byte stream: `data:` lines joined per event, events ended by a blank
 * line, `\n` or `\r\n` line ends, comments (`:`) skipped. llama.cpp reports a failure mid-stream
 * as an `error:` line; it comes out as an event named `error`.
 */

/** One event: its name (`message` unless the server said otherwise) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Yields the events of `body` in order. */
export async function* readSseEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let pending = '';
  let event = 'message';
  let data: string[] = [];
  const finishEvent = (): SseEvent | undefined => {
    const finished = data.length > 0 ? { event, data: data.join('\n') } : undefined;
    event = 'message';
    data = [];
    return finished;
  };
  const readLine = (line: string): SseEvent | undefined => {
    if (line === '') return finishEvent();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'error') {
      event = 'error';
      data.push(value);
    }
    return undefined;
  };
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = pending.indexOf('\n', start);
    while (newline !== -1) {
      const end = newline > start && pending.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const finished = readLine(pending.slice(start, end));
      if (finished !== undefined) yield finished;
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '') {
    const finished = readLine(pending.endsWith('\r') ? pending.slice(0, -1) : pending);
    if (finished !== undefined) yield finished;
  }
  const last = finishEvent();
  if (last !== undefined) yield last;
}

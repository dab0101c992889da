// Tests of lib/sse.ts, the SSE parser of every backend: line endings, chunk boundaries (bytes and
// text), multi-line data, event names, llama.cpp's error lines and a final unterminated event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSseEvents, type SseEvent } from './sse.js';

async function collect(chunks: (string | Uint8Array)[]): Promise<SseEvent[]> {
  async function* source(): AsyncGenerator<string | Uint8Array> {
    yield* chunks;
  }
  const events: SseEvent[] = [];
  for await (const event of readSseEvents(source())) events.push(event);
  return events;
}

const dataOf = async (chunks: string[]): Promise<string[]> => (await collect(chunks)).map((event) => event.data);

/** Every way of cutting `text` in two, plus one character per chunk. */
function splits(text: string): string[][] {
  const cuts = Array.from({ length: text.length + 1 }, (_, index) => [text.slice(0, index), text.slice(index)]);
  return [...cuts, [...text]];
}

const STREAM = ': keep-alive\n\ndata: {"a":1}\n\nevent: ping\ndata: x\n\ndata: line one\ndata: line two\r\n\r\ndata: [DONE]\n\n';
const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"a":1}' },
  { event: 'ping', data: 'x' },
  { event: 'message', data: 'line one\nline two' },
  { event: 'message', data: '[DONE]' },
];

test('events come out whole however the bytes are cut, with CRLF, comments and multi-line data', async () => {
  assert.deepEqual(await collect([STREAM]), EXPECTED);
  const bytes = Buffer.from(STREAM);
  assert.deepEqual(await collect([...bytes].map((byte) => Buffer.from([byte]))), EXPECTED, 'one byte at a time');
  const cutCrlf = STREAM.indexOf('\r\n') + 1;
  assert.deepEqual(await collect([STREAM.slice(0, cutCrlf), STREAM.slice(cutCrlf)]), EXPECTED, 'cut inside a CRLF');
});

test('CRLF, LF and CR line endings give the same events, however the text is split', async () => {
  for (const newline of ['\r\n', '\n', '\r']) {
    const text = `data: {"a":1}${newline}${newline}: a comment${newline}event: message${newline}data: {"b":2}${newline}${newline}`;
    for (const chunks of splits(text)) assert.deepEqual(await dataOf(chunks), ['{"a":1}', '{"b":2}'], JSON.stringify(chunks));
  }
});

test('data lines of one event join with a newline; one space after the colon is dropped', async () => {
  assert.deepEqual(await dataOf(['data:x\ndata:  y\ndata\n\n']), ['x\n y\n']);
});

test('multi-byte characters split across chunks survive', async () => {
  const text = Buffer.from('data: {"t":"Grüße 🌍"}\n\n');
  const middle = text.indexOf(0xf0) + 2;
  assert.deepEqual(await collect([text.subarray(0, middle), text.subarray(middle)]), [{ event: 'message', data: '{"t":"Grüße 🌍"}' }]);
});

test('a final event without a blank line after it is still delivered; empty events are skipped', async () => {
  assert.deepEqual(await dataOf(['\n\ndata: last\r']), ['last']);
  assert.deepEqual(await collect(['data: tail']), [{ event: 'message', data: 'tail' }]);
  assert.deepEqual(await dataOf(['id: 1\n\n', '']), []);
});

test('an error line (llama.cpp) is an event named error; the name resets after each event', async () => {
  assert.deepEqual(await collect(['error: {"code":500,"message":"boom"}\n\ndata: next\n\n']), [
    { event: 'error', data: '{"code":500,"message":"boom"}' },
    { event: 'message', data: 'next' },
  ]);
});

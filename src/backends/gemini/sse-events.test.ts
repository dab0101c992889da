import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sseDataEvents } from './sse-events.js';

async function eventsOf(chunks: string[]): Promise<string[]> {
  async function* source(): AsyncGenerator<string> {
    yield* chunks;
  }
  const events: string[] = [];
  for await (const data of sseDataEvents(source())) events.push(data);
  return events;
}

/** Every way of cutting `text` in two, plus one character per chunk. */
function splits(text: string): string[][] {
  const cuts = Array.from({ length: text.length + 1 }, (_, index) => [text.slice(0, index), text.slice(index)]);
  return [...cuts, [...text]];
}

test('CRLF, LF and CR line endings give the same events, however the text is split', async () => {
  for (const newline of ['\r\n', '\n', '\r']) {
    const text = `data: {"a":1}${newline}${newline}: a comment${newline}event: message${newline}data: {"b":2}${newline}${newline}`;
    for (const chunks of splits(text)) assert.deepEqual(await eventsOf(chunks), ['{"a":1}', '{"b":2}'], JSON.stringify(chunks));
  }
});

test('data lines of one event join with a newline; one space after the colon is dropped', async () => {
  assert.deepEqual(await eventsOf(['data:x\ndata:  y\ndata\n\n']), ['x\n y\n']);
});

test('a final event without a blank line after it is still delivered; empty events are skipped', async () => {
  assert.deepEqual(await eventsOf(['\n\ndata: last\r']), ['last']);
  assert.deepEqual(await eventsOf(['data: last']), ['last']);
  assert.deepEqual(await eventsOf(['id: 1\n\n', '']), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSseEvents, type SseEvent } from './read-sse-events.js';

async function collect(chunks: (string | Buffer)[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  async function* source(): AsyncGenerator<string | Buffer> {
    yield* chunks;
  }
  for await (const event of readSseEvents(source())) events.push(event);
  return events;
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

test('multi-byte characters split across chunks survive; a last event without a blank line is kept; error lines are error events', async () => {
  const text = Buffer.from('data: {"t":"Grüße 🌍"}\n\n');
  const middle = text.indexOf(0xf0) + 2;
  assert.deepEqual(await collect([text.subarray(0, middle), text.subarray(middle)]), [{ event: 'message', data: '{"t":"Grüße 🌍"}' }]);
  assert.deepEqual(await collect(['data: tail']), [{ event: 'message', data: 'tail' }]);
  assert.deepEqual(await collect(['error: {"code":500,"message":"boom"}\n\n']), [{ event: 'error', data: '{"code":500,"message":"boom"}' }]);
});

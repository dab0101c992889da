import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundaryOf, readMultipartRelated } from './multipart-related.js';

async function* pieces(text: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < text.length; at += size) yield text.subarray(at, at + size);
}

const body = (content: Buffer): Buffer =>
  Buffer.concat([
    Buffer.from('--xyz\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"file":{"displayName":"d"}}\r\n'),
    Buffer.from('--xyz\r\nContent-Type: application/jsonl\r\n\r\n'),
    content,
    Buffer.from('\r\n--xyz--\r\n'),
  ]);

test('splits metadata and content, whatever the network chunking', async () => {
  const content = Buffer.from('line one\r\n--xy not a boundary\r\nline two\n'.repeat(50));
  for (const size of [1, 3, 7, 64, 100_000]) {
    const upload = await readMultipartRelated(pieces(body(content), size), 'xyz');
    assert.equal(upload.metadataText, '{"file":{"displayName":"d"}}');
    assert.equal(upload.contentType, 'application/jsonl');
    const parts: Buffer[] = [];
    for await (const part of upload.content) parts.push(part as Buffer);
    assert.ok(Buffer.concat(parts).equals(content), `chunk size ${size}`);
  }
});

test('a truncated body is an error, not a hang', async () => {
  const whole = body(Buffer.from('abc'));
  const upload = await readMultipartRelated(pieces(whole.subarray(0, whole.length - 10), 10), 'xyz');
  await assert.rejects(async () => {
    for await (const _ of upload.content);
  }, /closing boundary/);
});

test('the boundary comes from the content type', () => {
  assert.equal(boundaryOf('multipart/related; boundary="a b"'), 'a b');
  assert.equal(boundaryOf('multipart/related; boundary=abc'), 'abc');
  assert.throws(() => boundaryOf('application/json'), /multipart/);
});

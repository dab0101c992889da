// Cutting input into chunks of whole lines, in buffers that are used again once given back.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ChunkBuffers, wholeLineChunks } from './whole-line-chunks.js';

test('the input is cut just after a newline, however it arrives, into buffers of their own', async () => {
  const text = 'a\nbb\r\n\nccc ccc ccc\ndddd\n\neeeee';
  for (const pieceBytes of [1, 2, 3, 7, 100]) {
    for (const target of [1, 3, 5, 16, 100]) {
      const pieces = Array.from({ length: Math.ceil(text.length / pieceBytes) }, (_, index) => Buffer.from(text.slice(index * pieceBytes, (index + 1) * pieceBytes)));
      const chunks: Uint8Array[] = [];
      for await (const { bytes, length } of wholeLineChunks(Readable.from(pieces), target)) {
        assert.ok(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && length <= bytes.byteLength, 'a buffer of its own');
        chunks.push(bytes.slice(0, length));
      }
      const label = `pieces of ${pieceBytes}, target ${target}`;
      assert.equal(chunks.map((chunk) => Buffer.from(chunk).toString()).join(''), text, label);
      assert.ok(chunks.slice(0, -1).every((chunk) => chunk.at(-1) === 0x0a && chunk.length > 0), label);
      if (target === 1 && pieceBytes === 1) assert.equal(chunks.length, 7, 'one line a chunk');
    }
  }
});

test('buffers given back are used again, so a file of many chunks needs one buffer', async () => {
  const text = Array.from({ length: 200 }, (_, index) => `line ${index}`).join('\n');
  const made: Uint8Array[] = [];
  class Counting extends ChunkBuffers {
    override take(size: number): Uint8Array {
      const buffer = super.take(size);
      if (!made.includes(buffer)) made.push(buffer);
      return buffer;
    }
  }
  const buffers = new Counting(64);
  const pieces = Array.from({ length: Math.ceil(text.length / 10) }, (_, index) => Buffer.from(text.slice(index * 10, index * 10 + 10)));
  let read = '';
  let chunks = 0;
  for await (const { bytes, length } of wholeLineChunks(Readable.from(pieces), 40, buffers)) {
    read += Buffer.from(bytes.subarray(0, length)).toString();
    chunks++;
    buffers.give(bytes);
  }
  assert.equal(read, text);
  assert.ok(chunks > 20, `${chunks} chunks`);
  assert.equal(made.length, 1, 'one buffer for every chunk');
});

test('a chunk larger than the buffers gets one its own size; a detached buffer is not kept', () => {
  const buffers = new ChunkBuffers(16, 2);
  const large = buffers.take(100);
  assert.equal(large.byteLength, 100);
  buffers.give(large);
  assert.equal(buffers.take(50), large, 'a kept buffer that can hold the chunk');
  const moved = buffers.take(8);
  structuredClone(moved.buffer, { transfer: [moved.buffer as ArrayBuffer] });
  buffers.give(moved);
  assert.notEqual(buffers.take(8).byteLength, 0);
});

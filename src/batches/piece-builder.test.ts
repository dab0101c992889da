import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PieceBuilder } from './piece-builder.js';

/** Adds each line (whole buffers or ranges) and answers the pieces handed out, the last taken at the end. */
function build(pieceBytes: number, lines: ({ source: Buffer; start?: number; end?: number })[]): string[] {
  const builder = new PieceBuilder(pieceBytes);
  const pieces: string[] = [];
  for (const { source, start, end } of lines) {
    const piece = builder.addLine(source, start, end);
    if (piece) pieces.push(piece.toString());
  }
  const last = builder.take();
  if (last) pieces.push(last.toString());
  return pieces;
}

test('lines and ranges of a larger buffer come out newline-terminated, in order, in pieces of at most the piece size', () => {
  const log = Buffer.from('0\ts\t\t{"a":1}\n1\ts\t\t{"b":2}\n');
  const pieces = build(16, [
    { source: log, start: 5, end: 12 },
    { source: Buffer.from('{"error":"x"}') },
    { source: log, start: 18, end: 25 },
  ]);
  assert.deepEqual(pieces, ['{"a":1}\n', '{"error":"x"}\n', '{"b":2}\n']);
  assert.equal(pieces.join(''), '{"a":1}\n{"error":"x"}\n{"b":2}\n');
});

test('lines that fit share a piece; a line larger than a piece gets one of its own size; multi-byte text is copied as bytes', () => {
  const big = Buffer.from('é'.repeat(40));
  const pieces = build(32, [{ source: Buffer.from('one') }, { source: Buffer.from('two') }, { source: big }, { source: Buffer.from('three') }]);
  assert.deepEqual(pieces, ['one\ntwo\n', `${'é'.repeat(40)}\n`, 'three\n']);
});

test('nothing added: nothing to take; an empty line is a newline', () => {
  assert.deepEqual(build(8, []), []);
  assert.deepEqual(build(8, [{ source: Buffer.alloc(0) }]), ['\n']);
});

test('a piece handed out is not written over by later lines', () => {
  const builder = new PieceBuilder(8);
  builder.addLine(Buffer.from('aaaaaaa'));
  const first = builder.addLine(Buffer.from('bbbbbbb'));
  builder.addLine(Buffer.from('ccccccc'));
  assert.equal(first?.toString(), 'aaaaaaa\n');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachLine, isBlank, readLines } from './line-reader.js';

async function collect(chunks: string[], base = 0): Promise<[string, number, number, number][]> {
  const result: [string, number, number, number][] = [];
  for await (const line of readLines((async function* () {
    for (const chunk of chunks) yield Buffer.from(chunk);
  })(), base)) {
    result.push([line.bytes.toString(), line.number, line.start, line.end]);
  }
  return result;
}

test('lines with byte ranges, across chunk boundaries, CRLF and a last line without newline', async () => {
  assert.deepEqual(await collect(['ab\ncd', 'e\r\n\nf', 'g']), [
    ['ab', 1, 0, 3],
    ['cde', 2, 3, 8],
    ['', 3, 8, 9],
    ['fg', 4, 9, 11],
  ]);
  assert.deepEqual(await collect(['x\n'], 100), [['x', 1, 100, 102]]);
  assert.deepEqual(await collect([]), []);
});

test('blank lines', () => {
  assert.equal(isBlank(Buffer.from(' \t\r')), true);
  assert.equal(isBlank(Buffer.from(' x')), false);
});

test('eachLine splits a buffer exactly as readLines splits the same bytes, and stops when told', async () => {
  const texts = ['', 'a', 'a\n', 'a\r\nbb\n\n', 'x\ny\r', '\n\n\n', 'ünï\r\ncødé\nlast', 'one\r'];
  for (const text of texts) {
    for (const base of [0, 7]) {
      const seen: [string, number, number, number][] = [];
      eachLine(Buffer.from(text), (line) => (seen.push([line.bytes.toString(), line.number, line.start, line.end]), true), base);
      assert.deepEqual(seen, await collect([text], base), JSON.stringify(text));
    }
  }
  const firstTwo: string[] = [];
  eachLine(Buffer.from('a\nb\nc\n'), (line) => (firstTwo.push(line.bytes.toString()), firstTwo.length < 2));
  assert.deepEqual(firstTwo, ['a', 'b']);
});

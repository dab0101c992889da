import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachLineRange, isBlank, readLines } from './line-reader.js';

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

test('eachLineRange splits a buffer exactly as readLines splits the same bytes, and stops when told', async () => {
  const texts = ['', 'a', 'a\n', 'a\r\nbb\n\n', 'x\ny\r', '\n\n\n', 'ünï\r\ncødé\nlast', 'one\r'];
  for (const text of texts) {
    const data = Buffer.from(text);
    const seen: [string, number, number, number][] = [];
    eachLineRange(data, (start, end, next) => (seen.push([data.subarray(start, end).toString(), seen.length + 1, start, next]), true));
    assert.deepEqual(seen, await collect([text]), JSON.stringify(text));
  }
  const data = Buffer.from('a\nb\nc\n');
  const firstTwo: string[] = [];
  eachLineRange(data, (start, end) => (firstTwo.push(data.subarray(start, end).toString()), firstTwo.length < 2));
  assert.deepEqual(firstTwo, ['a', 'b']);
});

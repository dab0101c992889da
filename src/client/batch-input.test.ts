// Tests of the batch input converter: JSONL, one prompt per line and CSV files to request lines.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { convertBatchInput, detectFormat, InputError } from './batch-input.js';

const dir = mkdtempSync(join(tmpdir(), 'batch-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const convert = async (name: string, content: string, options = {}): Promise<{ count: number; lines: { key: string; request: { contents: { parts: { text: string }[] }[] } }[] }> => {
  const input = join(dir, name);
  writeFileSync(input, content);
  const output = join(dir, `${name}.out`);
  const count = await convertBatchInput(input, output, options);
  return { count, lines: readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as never) };
};
const textOf = (line: { request: { contents: { parts: { text: string }[] }[] } }): string | undefined => line.request.contents[0]?.parts[0]?.text;

test('the format follows the extension', () => {
  assert.equal(detectFormat('a.jsonl'), 'jsonl');
  assert.equal(detectFormat('a.CSV'), 'csv');
  assert.equal(detectFormat('prompts.txt'), 'text');
});

test('text: one prompt per line, blank lines skipped, keys by line number', async () => {
  const { count, lines } = await convert('p.txt', 'first prompt\n\nsecond, with "quotes"\r\n');
  assert.equal(count, 2);
  assert.deepEqual(lines.map((line) => line.key), ['line-1', 'line-3']);
  assert.equal(textOf(lines[1]!), 'second, with "quotes"');
});

test('jsonl: request lines pass through, bare requests are wrapped, a bad line names its number', async () => {
  const { lines } = await convert('r.jsonl', '{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}]}}\n{"contents":[{"parts":[{"text":"y"}]}]}\n');
  assert.deepEqual(lines.map((line) => line.key), ['a', 'line-2']);
  await assert.rejects(convert('bad.jsonl', '{"key":"a","request":{}}\nnot json\n'), (error: unknown) => error instanceof InputError && /line 2 is not JSON/.test(error.message));
});

test('csv: prompt and key columns by name or number, quoted fields with commas and newlines', async () => {
  const csv = 'id,question\nq1,"What is 2+2, really?"\nq2,"two\nlines"\n';
  const { lines } = await convert('q.csv', csv, { promptColumn: 'question', keyColumn: 'id' });
  assert.deepEqual(lines.map((line) => [line.key, textOf(line)]), [['q1', 'What is 2+2, really?'], ['q2', 'two\nlines']]);
  const numbered = await convert('q2.csv', csv, { promptColumn: '2' });
  assert.deepEqual(numbered.lines.map((line) => line.key), ['row-1', 'row-2']);
  await assert.rejects(convert('q3.csv', csv, { promptColumn: 'nope' }), /--prompt-column "nope" is not a column \(columns: id, question\)/);
  await assert.rejects(convert('q4.csv', csv), /needs --prompt-column/);
});

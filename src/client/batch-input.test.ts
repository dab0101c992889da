// Tests of the batch input converter: JSONL, one prompt per line and CSV files to request lines.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { convertBatchInput, detectFormat, InputError, readCsvRows, type ConvertOptions } from './batch-input.js';

const dir = mkdtempSync(join(tmpdir(), 'batch-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
type Line = { key: string; request: { contents: { parts: { text: string }[] }[] }; metadata?: Record<string, unknown> };
const convert = async (name: string, content: string, options: ConvertOptions = {}): Promise<{ count: number; lines: Line[]; raw: string[]; sourceLine: (n: number) => number }> => {
  const input = join(dir, name);
  writeFileSync(input, content);
  const output = join(dir, `${name}.out`);
  const { count, sourceLine } = await convertBatchInput(input, output, options);
  const raw = readFileSync(output, 'utf8').trim().split('\n');
  return { count, raw, sourceLine, lines: raw.map((line) => (line.startsWith('{') ? JSON.parse(line) : line) as never) };
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

test('embeddings: prompts become EmbedContentRequests with --dimensions; JSONL requests get it unless they set their own', async () => {
  const text = await convert('e.txt', 'alpha\n\nbeta\n', { kind: 'embed', dimensions: 256 });
  assert.deepEqual(JSON.parse(text.raw[0]!), { key: 'line-1', request: { content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 256 } });
  const csv = await convert('e.csv', 'id,text\na,hello\n', { kind: 'embed', promptColumn: 'text', keyColumn: 'id' });
  assert.deepEqual(JSON.parse(csv.raw[0]!), { key: 'a', request: { content: { parts: [{ text: 'hello' }] } } });
  const jsonl = await convert('e.jsonl', '{"content":{"parts":[{"text":"x"}]}}\n{"key":"k","request":{"content":{"parts":[{"text":"y"}]},"outputDimensionality":8}}\n', { kind: 'embed', dimensions: 64 });
  assert.deepEqual(jsonl.raw.map((line) => JSON.parse(line) as unknown), [
    { key: 'line-1', request: { content: { parts: [{ text: 'x' }] }, outputDimensionality: 64 } },
    { key: 'k', request: { content: { parts: [{ text: 'y' }] }, outputDimensionality: 8 } },
  ]);
  await assert.rejects(convert('g.jsonl', '{"content":{"parts":[{"text":"x"}]}}\n'), /line 1 has neither "request" nor "contents"/);
});

test('--metadata is merged into every line\'s metadata; a non-object metadata is an error', async () => {
  const { lines } = await convert('m.jsonl', '{"key":"a","request":{"contents":[]},"metadata":{"own":1,"run":"old"}}\nplain\n', { format: 'jsonl', metadata: { run: 'r7' }, passUnreadable: true });
  assert.deepEqual(lines[0]?.metadata, { own: 1, run: 'r7' });
  const text = await convert('m.txt', 'one\n', { metadata: { team: 'x' } });
  assert.deepEqual(text.lines[0]?.metadata, { team: 'x' });
  await assert.rejects(convert('m2.jsonl', '{"key":"a","request":{},"metadata":[1]}\n', { metadata: { a: 'b' } }), /line 1: "metadata" is not an object/);
});

test('passUnreadable writes bad JSONL lines as they are, and each request line maps to its input line', async () => {
  const { raw, count, sourceLine } = await convert('u.jsonl', '\n{"key":"a","request":{}}\nnot json\n\n[1]\n{"x":1}\n', { passUnreadable: true });
  assert.equal(count, 4);
  assert.deepEqual(raw.slice(1), ['not json', '[1]', '{"x":1}']);
  assert.deepEqual([1, 2, 3, 4].map(sourceLine), [2, 3, 5, 6]);
});

test('CSV rows: keys and prompts as submit reads them, with the line each row starts on', async () => {
  const path = join(dir, 'rows.csv');
  writeFileSync(path, 'id,prompt,notes\r\nr1,"Say ""hi""",x\r\nr2,"Two\nlines",y\r\n\r\nr3,,z\r\nr4,Last,w\r\n');
  const rows = [];
  for await (const row of readCsvRows(path, { promptColumn: 'prompt' })) rows.push([row.row, row.line, row.key, row.prompt ?? null, row.record[2]]);
  assert.deepEqual(rows, [[1, 2, 'row-1', 'Say "hi"', 'x'], [2, 3, 'row-2', 'Two\nlines', 'y'], [3, 6, 'row-3', null, 'z'], [4, 7, 'row-4', 'Last', 'w']]);
  const converted = await convert('rows2.csv', readFileSync(path, 'utf8'), { promptColumn: 'prompt', keyColumn: 'id' });
  assert.deepEqual([1, 2, 3].map(converted.sourceLine), [2, 3, 7]);
});

// Tests of joining a CSV input with its results: by key whatever the results' order, byte offsets right with multi-byte text, quoting, filters.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvField, indexResults, joinCsvResults, resultCells } from './csv-results.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-results-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const answer = (key: string, text: string): string => JSON.stringify({ key, response: { candidates: [{ content: { parts: [{ text: 'thinking…', thought: true }, { text }] }, finishReason: 'STOP' }] } });
const failure = (key: string): string => JSON.stringify({ key, error: { code: 3, message: 'bad "thing"', status: 'INVALID_ARGUMENT' } });

test('the index finds each line by key, at its byte offset, whatever the order and the characters before it', async () => {
  const lines = [answer('row-2', 'ünïcødé ✓'), failure('row-1'), answer('row-3', 'three')];
  const path = file('index.jsonl', `${lines.join('\n')}\n`);
  const index = await indexResults(path);
  const bytes = readFileSync(path);
  for (const line of lines) {
    const key = (JSON.parse(line) as { key: string }).key;
    const at = index.get(key);
    assert.ok(at, key);
    assert.equal(bytes.subarray(at.offset, at.offset + at.length).toString('utf8'), line);
  }
  // No trailing newline: the last line is indexed too.
  assert.equal((await indexResults(file('last.jsonl', answer('k', 'x')))).size, 1);
});

test('rows in input order with the response text (thoughts left out), finish reason and error; rows without a prompt kept empty', async () => {
  const input = file('in.csv', 'id,prompt,note\nb,"Say, ""hi""",x\na,second,"two\nlines"\nc,,skipped\nd,no result,y\n');
  const results = file('out.jsonl', `${[failure('a'), answer('b', 'Hello, "you"\nthere')].join('\n')}\n`);
  const output = join(dir, 'joined.csv');
  const joined = await joinCsvResults(input, results, output, { promptColumn: 'prompt', keyColumn: 'id' });
  assert.deepEqual(joined, { rows: 4, withResult: 2, errorRows: 1 });
  assert.deepEqual(parse(readFileSync(output, 'utf8')), [
    ['id', 'prompt', 'note', 'response_text', 'finish_reason', 'error'],
    ['b', 'Say, "hi"', 'x', 'Hello, "you"\nthere', 'STOP', ''],
    ['a', 'second', 'two\nlines', '', '', 'INVALID_ARGUMENT: bad "thing"'],
    ['c', '', 'skipped', '', '', ''],
    ['d', 'no result', 'y', '', '', ''],
  ]);
  const onlyErrors = join(dir, 'errors.csv');
  await joinCsvResults(input, results, onlyErrors, { promptColumn: 'prompt', keyColumn: 'id', keep: (line) => line.includes('"error"') });
  assert.deepEqual(parse(readFileSync(onlyErrors, 'utf8')).map((row) => row[0]), ['id', 'a']);
});

test('cells: embeddings as a JSON array; fields quoted only when they must be', () => {
  assert.deepEqual(resultCells(JSON.stringify({ key: 'k', response: { embedding: { values: [0.5, -1] } } })), ['[0.5,-1]', '', '']);
  assert.deepEqual(resultCells(undefined), ['', '', '']);
  assert.deepEqual(['plain', 'a,b', 'say "x"', 'two\nlines', ' edge'].map(csvField), ['plain', '"a,b"', '"say ""x"""', '"two\nlines"', '" edge"']);
});

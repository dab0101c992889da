/**
 * The dashboard's input conversion (src/dashboard/batch-input.js, plain browser JavaScript with
 * no DOM use, so it runs in Node too) against the command line's (src/client/batch-input.ts):
 * the same text, JSONL and CSV files give the same request file, byte for byte; and the problems
 * the page shows before uploading carry the user's line numbers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { convertBatchInput, type ConvertOptions } from '../../src/client/batch-input.js';

interface Converted {
  jsonl: string;
  count: number;
  errors: { line: number; message: string }[];
  sourceLines: number[];
  columns: string[];
}
interface BrowserModule {
  convertInput(text: string, options: { format: string; kind: string; promptColumn?: string; keyColumn?: string }): Converted;
  detectFormat(fileName: string): string;
}

// A path in a variable: the module is JavaScript without types, loaded as it is served.
const modulePath = resolve(import.meta.dirname, '../../src/dashboard/batch-input.js');
const browser = (await import(modulePath)) as BrowserModule;

const dir = mkdtempSync(join(tmpdir(), 'batchmode-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What `batchmode submit` uploads for this file. */
async function cliConversion(name: string, content: string, options: ConvertOptions = {}): Promise<string> {
  const input = join(dir, name);
  writeFileSync(input, content);
  const output = join(dir, `${name}.out.jsonl`);
  await convertBatchInput(input, output, options);
  return readFileSync(output, 'utf8');
}

describe('dashboard input conversion', () => {
  test('text, JSONL and CSV convert exactly as `batchmode submit` converts them', async () => {
    const text = '\uFEFFName three primes.\r\n\r\nWrite a haiku about "queues".\nÜnïcödé prompt\n';
    assert.equal(browser.convertInput(text, { format: 'text', kind: 'generate' }).jsonl, await cliConversion('prompts.txt', text));

    const jsonl = [
      '{"key":"k1","request":{"contents":[{"parts":[{"text":"a"}]}]}}',
      '',
      '{"contents":[{"parts":[{"text":"bare"}]}]}',
      '{"request":{"contents":[{"parts":[{"text":"no key"}]}]},"metadata":{"m":1}}',
    ].join('\n');
    assert.equal(browser.convertInput(jsonl, { format: 'jsonl', kind: 'generate' }).jsonl, await cliConversion('requests.jsonl', jsonl));

    const csv = 'id,prompt,notes\r\nr1,"Say ""hi""",x\r\nr2,"Two\nlines",y\r\n\r\nr3,,z\r\nr4,Last,w\r\n';
    const converted = browser.convertInput(csv, { format: 'csv', kind: 'generate', promptColumn: 'prompt', keyColumn: 'id' });
    assert.equal(converted.jsonl, await cliConversion('sheet.csv', csv, { promptColumn: 'prompt', keyColumn: 'id' }));
    assert.deepEqual(converted.columns, ['id', 'prompt', 'notes']);
    assert.deepEqual(converted.sourceLines, [2, 3, 7]);
    // Without a key column: row-N, as the CLI numbers rows.
    assert.equal(browser.convertInput(csv, { format: 'csv', kind: 'generate' }).jsonl, await cliConversion('sheet2.csv', csv, { promptColumn: 'prompt' }));
  });

  test('the format comes from the extension, as on the command line', () => {
    assert.deepEqual(['a.jsonl', 'a.NDJSON', 'a.json', 'a.csv', 'a.txt', 'prompts'].map((name) => browser.detectFormat(name)), ['jsonl', 'jsonl', 'jsonl', 'csv', 'text', 'text']);
  });

  test('problems are listed with their line numbers', () => {
    const jsonl = [
      '{"key":"a","request":{"contents":[]}}',
      '',
      '{"key":"b",',
      '[1,2]',
      '{"key":"a","request":{"contents":[{"parts":[{"text":"again"}]}]}}',
      '{"key":7,"request":{}}',
      '{"prompt":"no"}',
    ].join('\n');
    const { errors } = browser.convertInput(jsonl, { format: 'jsonl', kind: 'generate' });
    assert.deepEqual(errors.map((error) => error.line), [3, 4, 5, 6, 7]);
    assert.match(errors[0]!.message, /not JSON/);
    assert.match(errors[2]!.message, /"a" is already used on line 1/);
    assert.match(errors[4]!.message, /neither "request" nor "contents"/);
    assert.deepEqual(browser.convertInput('\n  \n', { format: 'text', kind: 'generate' }).errors, [{ line: 0, message: 'no requests found' }]);
    assert.match(browser.convertInput('a,b\n1,2\n', { format: 'csv', kind: 'generate', promptColumn: 'prompt' }).errors[0]!.message, /no column "prompt"/);
  });

  test('for an embedding model, prompts become embed requests', () => {
    const { jsonl } = browser.convertInput('hello\n', { format: 'text', kind: 'embed' });
    assert.deepEqual(JSON.parse(jsonl), { key: 'line-1', request: { content: { parts: [{ text: 'hello' }] } } });
    const bare = browser.convertInput('{"content":{"parts":[{"text":"x"}]}}\n', { format: 'jsonl', kind: 'embed' });
    assert.deepEqual(bare.errors, []);
    assert.equal(bare.count, 1);
  });
});

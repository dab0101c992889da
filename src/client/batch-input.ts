/**
 * Turns what a user has into a Batch Mode request file (JSONL of `{"key", "request"}`), streamed
 * line by line so any size works:
 *
 * - `jsonl`: lines that already are `{"key", "request"}` pass through; a line that is a bare
 *   GenerateContentRequest (`{"contents": …}`) is wrapped with the key `line-<n>`.
 * - `text`: one prompt per line (blank lines skipped), key `line-<n>` (1-based line number).
 * - `csv`: the prompt from `promptColumn` (a header name or 1-based index), the key from
 *   `keyColumn` or `row-<n>`.
 *
 * The format comes from the extension (.jsonl/.json/.ndjson, .csv, anything else is text)
 * unless given. A bad line fails with its line number.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parse } from 'csv-parse';

export type InputFormat = 'jsonl' | 'text' | 'csv';

export interface ConvertOptions {
  format?: InputFormat;
  promptColumn?: string;
  keyColumn?: string;
}

/** A user's input problem (the CLI exits with the usage status). */
export class InputError extends Error {
  override name = 'InputError';
}

export function detectFormat(path: string): InputFormat {
  const extension = extname(path).toLowerCase();
  if (['.jsonl', '.json', '.ndjson'].includes(extension)) return 'jsonl';
  if (extension === '.csv') return 'csv';
  return 'text';
}

const requestOf = (prompt: string): unknown => ({ contents: [{ role: 'user', parts: [{ text: prompt }] }] });

/** Writes the request file to `outputPath`; resolves the number of requests. */
export async function convertBatchInput(inputPath: string, outputPath: string, options: ConvertOptions = {}): Promise<number> {
  const format = options.format ?? detectFormat(inputPath);
  const output = createWriteStream(outputPath);
  let count = 0;
  const write = async (line: unknown): Promise<void> => {
    count++;
    if (!output.write(`${JSON.stringify(line)}\n`)) await once(output, 'drain');
  };
  try {
    if (format === 'csv') await convertCsv(inputPath, options, write);
    else await convertLines(inputPath, format, write);
  } finally {
    output.end();
    await once(output, 'close');
  }
  if (count === 0) throw new InputError(`${inputPath}: no requests found`);
  return count;
}

async function convertLines(path: string, format: 'jsonl' | 'text', write: (line: unknown) => Promise<void>): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    if (format === 'text') {
      await write({ key: `line-${number}`, request: requestOf(text) });
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InputError(`${path}: line ${number} is not JSON (${(error as Error).message}); use --format text for one prompt per line`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputError(`${path}: line ${number} is not a JSON object`);
    const record = parsed as Record<string, unknown>;
    if ('request' in record) await write(record.key === undefined ? { key: `line-${number}`, ...record } : record);
    else if ('contents' in record) await write({ key: `line-${number}`, request: record });
    else throw new InputError(`${path}: line ${number} has neither "request" nor "contents"`);
  }
}

async function convertCsv(path: string, options: ConvertOptions, write: (line: unknown) => Promise<void>): Promise<void> {
  if (options.promptColumn === undefined) throw new InputError(`${path}: a CSV input needs --prompt-column (a header name or a 1-based column number)`);
  const parser = createReadStream(path).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  let header: string[] | undefined;
  let promptIndex = -1;
  let keyIndex = -1;
  let row = 0;
  const columnIndex = (column: string, names: string[], flag: string): number => {
    const byName = names.indexOf(column);
    if (byName >= 0) return byName;
    const byNumber = /^\d+$/.test(column) ? Number(column) - 1 : -1;
    if (byNumber >= 0 && byNumber < names.length) return byNumber;
    throw new InputError(`${path}: ${flag} ${JSON.stringify(column)} is not a column (columns: ${names.join(', ')})`);
  };
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!header) {
      header = record;
      promptIndex = columnIndex(options.promptColumn, header, '--prompt-column');
      keyIndex = options.keyColumn === undefined ? -1 : columnIndex(options.keyColumn, header, '--key-column');
      continue;
    }
    row++;
    const prompt = record[promptIndex];
    if (prompt === undefined || prompt.trim() === '') continue;
    const key = keyIndex >= 0 ? record[keyIndex] : undefined;
    if (keyIndex >= 0 && (key === undefined || key === '')) throw new InputError(`${path}: row ${row} has an empty key column`);
    await write({ key: key ?? `row-${row}`, request: requestOf(prompt) });
  }
}

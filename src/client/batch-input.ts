/**
 * Turns what a user has into a Batch Mode request file (JSONL of `{"key", "request"}`), streamed
 * line by line so any size works:
 *
 * - `jsonl`: lines that already are `{"key", "request"}` pass through; a line that is a bare
 *   request (`{"contents": …}`, or `{"content": …}` for embeddings) is wrapped with the key
 *   `line-<n>`.
 * - `text`: one prompt per line (blank lines skipped), key `line-<n>` (1-based line number).
 * - `csv`: the prompt from `promptColumn` (a header name or 1-based index), the key from
 *   `keyColumn` or `row-<n>`.
 *
 * `kind: 'embed'` makes a prompt an EmbedContentRequest (`{"content": {"parts": [{"text"}]}}`,
 * with `outputDimensionality` from `dimensions`) instead of a GenerateContentRequest.
 * `metadata` is merged into every line's `metadata` object (its values win over the line's own).
 *
 * The format comes from the extension (.jsonl/.json/.ndjson, .csv, anything else is text)
 * unless given. A bad line fails with its line number, unless `passUnreadable` is set: then a
 * JSONL line that is not a request object is written as it is, so the server's validation
 * (which lists every bad line) reports it. The result maps each request line back to the input
 * line it came from, so the server's `Error on line N` can name the user's line.
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
  /** `generate` (default): GenerateContentRequest lines; `embed`: EmbedContentRequest lines. */
  kind?: 'generate' | 'embed';
  /** Embeddings: `outputDimensionality` of every request that does not set its own. */
  dimensions?: number;
  /** Merged into every line's `metadata` (results echo it back). */
  metadata?: Record<string, string>;
  /** Write JSONL lines that are not request objects as they are (for the server to report) instead of failing. */
  passUnreadable?: boolean;
}

/** What a conversion wrote. */
export interface ConvertResult {
  count: number;
  /** The 1-based input line that 1-based request line `n` came from. */
  sourceLine: (n: number) => number;
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

/** The request for one prompt: a GenerateContentRequest, or an EmbedContentRequest. */
export function requestOfPrompt(prompt: string, options: Pick<ConvertOptions, 'kind' | 'dimensions'> = {}): Record<string, unknown> {
  if (options.kind !== 'embed') return { contents: [{ role: 'user', parts: [{ text: prompt }] }] };
  return { content: { parts: [{ text: prompt }] }, ...(options.dimensions !== undefined ? { outputDimensionality: options.dimensions } : {}) };
}

/** Writes the request file to `outputPath`; resolves how many requests and where each came from. */
export async function convertBatchInput(inputPath: string, outputPath: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const format = options.format ?? detectFormat(inputPath);
  const output = createWriteStream(outputPath);
  const sources: number[] = [];
  let count = 0;
  const write = async (line: unknown, source: number): Promise<void> => {
    count++;
    sources.push(source);
    const text = typeof line === 'string' ? line : JSON.stringify(withMetadata(line as Record<string, unknown>, options.metadata, inputPath, source));
    if (!output.write(`${text}\n`)) await once(output, 'drain');
  };
  try {
    if (format === 'csv') {
      for await (const row of readCsvRows(inputPath, options)) {
        if (row.prompt !== undefined) await write({ key: row.key, request: requestOfPrompt(row.prompt, options) }, row.line);
      }
    } else {
      await convertLines(inputPath, format, options, write);
    }
  } finally {
    output.end();
    await once(output, 'close');
  }
  if (count === 0) throw new InputError(`${inputPath}: no requests found`);
  return { count, sourceLine: (n) => sources[n - 1] ?? n };
}

function withMetadata(line: Record<string, unknown>, metadata: Record<string, string> | undefined, path: string, source: number): Record<string, unknown> {
  if (metadata === undefined || Object.keys(metadata).length === 0) return line;
  const own = line.metadata ?? {};
  if (typeof own !== 'object' || own === null || Array.isArray(own)) throw new InputError(`${path}: line ${source}: "metadata" is not an object, so --metadata cannot be merged into it`);
  return { ...line, metadata: { ...own, ...metadata } };
}

async function convertLines(path: string, format: 'jsonl' | 'text', options: ConvertOptions, write: (line: unknown, source: number) => Promise<void>): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const bare = options.kind === 'embed' ? 'content' : 'contents';
  let number = 0;
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    if (format === 'text') {
      await write({ key: `line-${number}`, request: requestOfPrompt(text, options) }, number);
      continue;
    }
    const unreadable = async (problem: string): Promise<void> => {
      if (!options.passUnreadable) throw new InputError(`${path}: line ${number} ${problem}`);
      await write(text, number);
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      await unreadable(`is not JSON (${(error as Error).message}); use --format text for one prompt per line`);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      await unreadable('is not a JSON object');
      continue;
    }
    const record = parsed as Record<string, unknown>;
    if ('request' in record) await write(withDimensions(record.key === undefined ? { key: `line-${number}`, ...record } : record, options), number);
    else if (bare in record) await write(withDimensions({ key: `line-${number}`, request: record }, options), number);
    else await unreadable(`has neither "request" nor "${bare}"`);
  }
}

/** Embeddings with --dimensions: sets `outputDimensionality` on a request object that has none. */
function withDimensions(line: Record<string, unknown>, options: ConvertOptions): Record<string, unknown> {
  const request = line.request;
  if (options.kind !== 'embed' || options.dimensions === undefined || typeof request !== 'object' || request === null || Array.isArray(request)) return line;
  if ('outputDimensionality' in request || 'output_dimensionality' in request) return line;
  return { ...line, request: { ...request, outputDimensionality: options.dimensions } };
}

/** One data row of a CSV input. */
export interface CsvRow {
  /** The header's cells (the same array on every row). */
  header: string[];
  record: string[];
  /** 1-based data row number (the header is not counted). */
  row: number;
  /** The input line the row starts on. */
  line: number;
  /** `row-<n>` or the key column's value. */
  key: string;
  /** The prompt; undefined when the prompt cell is empty (the row makes no request). */
  prompt: string | undefined;
}

/** The data rows of a CSV input in order, with the key and prompt as `submit` reads them. */
export async function* readCsvRows(path: string, options: Pick<ConvertOptions, 'promptColumn' | 'keyColumn'>): AsyncGenerator<CsvRow> {
  if (options.promptColumn === undefined) throw new InputError(`${path}: a CSV input needs --prompt-column (a header name or a 1-based column number)`);
  const parser = createReadStream(path).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let header: string[] | undefined;
  let promptIndex = -1;
  let keyIndex = -1;
  let row = 0;
  let lastLine = 0;
  let lastEmpty = 0;
  const columnIndex = (column: string, names: string[], flag: string): number => {
    const byName = names.indexOf(column);
    if (byName >= 0) return byName;
    const byNumber = /^\d+$/.test(column) ? Number(column) - 1 : -1;
    if (byNumber >= 0 && byNumber < names.length) return byNumber;
    throw new InputError(`${path}: ${flag} ${JSON.stringify(column)} is not a column (columns: ${names.join(', ')})`);
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number } }>) {
    // csv-parse counts the line a record ends on; it starts after the last one and any blank lines.
    const line = lastLine + 1 + (info.empty_lines - lastEmpty);
    lastLine = info.lines;
    lastEmpty = info.empty_lines;
    if (!header) {
      header = record;
      promptIndex = columnIndex(options.promptColumn, header, '--prompt-column');
      keyIndex = options.keyColumn === undefined ? -1 : columnIndex(options.keyColumn, header, '--key-column');
      continue;
    }
    row++;
    const prompt = record[promptIndex];
    const hasPrompt = prompt !== undefined && prompt.trim() !== '';
    const key = keyIndex >= 0 ? record[keyIndex] : `row-${row}`;
    if (hasPrompt && (key === undefined || key === '')) throw new InputError(`${path}: row ${row} has an empty key column`);
    yield { header, record, row, line, key: key ?? '', prompt: hasPrompt ? prompt : undefined };
  }
}

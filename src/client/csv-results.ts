/**
 * Results that fit a CSV input: the input's rows, in their order, with three columns added from
 * each row's result line, `response_text`, `finish_reason` and `error`, joined by key (the key
 * column's value or `row-<n>`, as `submit` made them). Streamed both ways: the results file is
 * indexed (key → byte offset and length of its line; it may be in any order) and each row's line
 * is read back when the row is written, so no response is held in memory.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { readCsvRows, type ConvertOptions } from './batch-input.js';

/** The columns added to the input's. */
export const RESULT_COLUMNS = ['response_text', 'finish_reason', 'error'] as const;

export interface CsvJoinOptions extends Pick<ConvertOptions, 'promptColumn' | 'keyColumn'> {
  /** Only rows whose result line passes (rows without a result are then left out too). */
  keep?: (resultLine: string) => boolean;
}

/** Where each key's result line lies in the results file. */
export async function indexResults(resultsPath: string): Promise<Map<string, { offset: number; length: number }>> {
  const index = new Map<string, { offset: number; length: number }>();
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingStart = 0;
  const add = (line: Buffer, start: number): void => {
    if (line.length === 0) return;
    try {
      const key = (JSON.parse(line.toString('utf8')) as { key?: unknown }).key;
      if (typeof key === 'string') index.set(key, { offset: start, length: line.length });
    } catch {
      // Not a result line: nothing to join.
    }
  };
  for await (const chunk of createReadStream(resultsPath)) {
    const buffer = chunk as Buffer;
    let from = 0;
    for (let at = buffer.indexOf(10); at >= 0; at = buffer.indexOf(10, from)) {
      pending.push(buffer.subarray(from, at));
      add(Buffer.concat(pending), pendingStart);
      from = at + 1;
      pending = [];
      pendingStart = offset + from;
    }
    if (from < buffer.length) pending.push(buffer.subarray(from));
    offset += buffer.length;
  }
  add(Buffer.concat(pending), pendingStart);
  return index;
}

/** The added columns' values for one result line (empty when there is none). */
export function resultCells(line: string | undefined): [string, string, string] {
  if (line === undefined) return ['', '', ''];
  const result = JSON.parse(line) as {
    response?: { candidates?: { content?: { parts?: { text?: string; thought?: boolean }[] }; finishReason?: string }[]; embedding?: { values?: number[] } };
    error?: { code?: number; message?: string; status?: string };
  };
  if (result.error) return ['', '', [result.error.status, result.error.message].filter(Boolean).join(': ') || JSON.stringify(result.error)];
  const embedding = result.response?.embedding?.values;
  if (embedding) return [JSON.stringify(embedding), '', ''];
  const candidate = result.response?.candidates?.[0];
  const text = (candidate?.content?.parts ?? []).filter((part) => part.thought !== true && typeof part.text === 'string').map((part) => part.text).join('');
  return [text, candidate?.finishReason ?? '', ''];
}

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const csvLine = (cells: readonly string[]): string => `${cells.map(csvField).join(',')}\n`;

/** What a join wrote: rows, how many had a result line, how many of those were errors. */
export interface JoinedCsv {
  rows: number;
  withResult: number;
  errorRows: number;
}

/** Writes `outputPath`: the input CSV's rows plus the result columns. */
export async function joinCsvResults(inputCsv: string, resultsPath: string, outputPath: string, options: CsvJoinOptions): Promise<JoinedCsv> {
  const index = await indexResults(resultsPath);
  const results = await open(resultsPath, 'r');
  const output = createWriteStream(outputPath);
  const write = async (text: string): Promise<void> => {
    if (!output.write(text)) await once(output, 'drain');
  };
  let rows = 0;
  let withResult = 0;
  let errorRows = 0;
  try {
    let wroteHeader = false;
    for await (const row of readCsvRows(inputCsv, options)) {
      if (!wroteHeader) {
        await write(csvLine([...row.header, ...RESULT_COLUMNS]));
        wroteHeader = true;
      }
      const at = row.prompt === undefined ? undefined : index.get(row.key);
      let line: string | undefined;
      if (at) {
        const buffer = Buffer.alloc(at.length);
        await results.read(buffer, 0, at.length, at.offset);
        line = buffer.toString('utf8');
      }
      if (options.keep && (line === undefined || !options.keep(line))) continue;
      const cells = [...row.record];
      while (cells.length < row.header.length) cells.push('');
      const added = resultCells(line);
      await write(csvLine([...cells, ...added]));
      rows++;
      if (line !== undefined) withResult++;
      if (added[2] !== '') errorRows++;
    }
  } finally {
    output.end();
    await once(output, 'close');
    await results.close();
  }
  return { rows, withResult, errorRows };
}

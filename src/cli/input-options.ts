/**
 * The flags that say how to read an input file and what batch to make of it, shared by
 * `submit`, `validate`, `resubmit` and `batches results --input`: format and CSV columns,
 * embeddings and their dimensions, `--metadata key=value`, and the batch options (priority,
 * completion window, display name); with their parsing into the converter's and the client's
 * options (a bad value is a usage error, exit 2).
 */
import type { Command } from 'commander';
import type { ConvertOptions, InputFormat } from '../client/batch-input.js';
import { CliExit, EXIT } from './exit-codes.js';

/** How to read the input (the converter's flags). */
export interface InputFlags {
  format?: InputFormat;
  promptColumn?: string;
  keyColumn?: string;
  embeddings?: boolean;
  dimensions?: string;
  metadata?: string[];
}

/** What the batch is made with (create's options). */
export interface BatchFlags {
  displayName?: string;
  priority?: string;
  completionWindow?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--format`, `--prompt-column`, `--key-column` (for reading a CSV again, e.g. `batches results --input`). */
export function addFormatOptions(command: Command): Command {
  return command
    .option('--format <format>', 'jsonl | text | csv (default: from the extension)')
    .option('--prompt-column <column>', 'CSV: the column holding the prompt (header name or 1-based number)')
    .option('--key-column <column>', 'CSV: the column holding the key (default row-<n>)');
}

/** The format flags plus `--embeddings`, `--dimensions` and `--metadata`. */
export function addInputOptions(command: Command): Command {
  return addFormatOptions(command)
    .option('--embeddings', 'make an embeddings batch (asyncBatchEmbedContent); automatic for a model that only embeds')
    .option('--dimensions <n>', 'embeddings: outputDimensionality of every request')
    .option('--metadata <key=value>', "add to every request's metadata, echoed in its result line (repeatable)", collect);
}

/** `--display-name`, `--priority`, `--completion-window`. */
export function addBatchOptions(command: Command): Command {
  return command
    .option('--display-name <name>', "the batch's (and the uploaded file's) display name")
    .option('--priority <n>', 'batch priority: higher runs first (default 0; batchmode servers)')
    .option('--completion-window <duration>', 'how long the batch may run before it expires, e.g. 36h, 90m, 3600s (batchmode servers)');
}

/** The converter's options from the flags (the batch kind is decided later: it may come from the model). */
export function convertOptionsOf(flags: InputFlags): ConvertOptions {
  const metadata = parseMetadata(flags.metadata ?? []);
  return {
    ...(flags.format ? { format: parseFormat(flags.format) } : {}),
    ...(flags.promptColumn ? { promptColumn: flags.promptColumn } : {}),
    ...(flags.keyColumn ? { keyColumn: flags.keyColumn } : {}),
    ...(flags.dimensions !== undefined ? { dimensions: positiveInteger('--dimensions', flags.dimensions) } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/** Create's options from the flags. */
export function batchOptionsOf(flags: BatchFlags): { displayName?: string; priority?: number; completionWindowSeconds?: number } {
  return {
    ...(flags.displayName ? { displayName: flags.displayName } : {}),
    ...(flags.priority !== undefined ? { priority: integer('--priority', flags.priority) } : {}),
    ...(flags.completionWindow !== undefined ? { completionWindowSeconds: parseDurationSeconds(flags.completionWindow) } : {}),
  };
}

function parseFormat(value: string): InputFormat {
  if (value === 'jsonl' || value === 'text' || value === 'csv') return value;
  throw new CliExit(EXIT.USAGE, `--format: must be jsonl, text or csv, not ${JSON.stringify(value)}`);
}

/** `key=value` pairs into an object; a pair without `=` or with an empty key is a usage error. */
export function parseMetadata(pairs: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliExit(EXIT.USAGE, `--metadata: expected key=value, got ${JSON.stringify(pair)}`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}

/** `36h`, `90m`, `3600s`, `2d`, `1h30m` or a bare number of seconds → whole seconds. */
export function parseDurationSeconds(value: string): number {
  const text = value.trim();
  const units: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 };
  let seconds = 0;
  if (/^\d+(\.\d+)?$/.test(text)) seconds = Number(text);
  else if (/^(\d+(\.\d+)?[dhms])+$/.test(text)) {
    for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) seconds += Number(amount) * (units[unit ?? 's'] ?? 1);
  } else seconds = Number.NaN;
  if (!(seconds >= 1)) throw new CliExit(EXIT.USAGE, `--completion-window: not a duration such as 36h, 90m or 3600s: ${value}`);
  return Math.round(seconds);
}

export function integer(flag: string, value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) throw new CliExit(EXIT.USAGE, `${flag}: not an integer: ${value}`);
  return number;
}

export function positiveInteger(flag: string, value: string): number {
  const number = integer(flag, value);
  if (number <= 0) throw new CliExit(EXIT.USAGE, `${flag}: not a positive integer: ${value}`);
  return number;
}

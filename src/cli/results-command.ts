/**
 * `batchmode batches results <name> [--errors | --ok] [--follow] [-o F] [--input in.csv …]
 * [--save-images DIR]`: a batch's result lines to stdout or a file. `--errors` / `--ok` keep
 * only the error / the successful lines; `--follow` streams them while the batch runs, until it
 * ends. With `--input` (the CSV the batch was made from, with the same `--prompt-column` /
 * `--key-column`) and a `.csv` output, it writes the CSV's rows joined with their results
 * instead. `--save-images DIR` writes every image of the lines as `DIR/<key>-<n>.<ext>` (n from
 * 1 within a line; a line without a key is named by its position, `line-<n>`), one line in
 * memory at a time; the lines then go to `-o` only, not to stdout. Exit 3 when any line (or
 * row) written is an error, 0 otherwise.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { resourceName, type ApiClient } from '../client/api-client.js';
import { joinCsvResults } from '../client/csv-results.js';
import type { BatchOperation } from '../client/wire-types.js';
import { addClientOptions, clientFrom, printJson, runClientAction, type ClientOptions } from './client-command.js';
import { CliExit, EXIT } from './exit-codes.js';
import { addFormatOptions, convertOptionsOf, type InputFlags } from './input-options.js';
import { formatBytes, formatCount } from './output/format.js';
import { imagesOfLine, isErrorLine, passes, readResultLines, type LineFilter } from './result-lines.js';
import { wantsCsv } from './submit-flow.js';

interface ResultsFlags extends ClientOptions, Pick<InputFlags, 'format' | 'promptColumn' | 'keyColumn'> {
  output?: string;
  errors?: boolean;
  ok?: boolean;
  follow?: boolean;
  input?: string;
  saveImages?: string;
}

/** What was written. */
interface Written {
  lines: number;
  errorLines: number;
  bytes: number;
  /** Image files saved (`--save-images`). */
  images?: number;
}

export function registerResultsCommand(batches: Command): void {
  const command = addClientOptions(batches.command('results').argument('<name>', 'batch name').description("Write a batch's result lines (JSONL) to a file or stdout; exit 3 when any is an error"))
    .option('-o, --output <file>', 'write to this file instead of stdout (a .csv with --input: the input rows joined with their results)')
    .option('--errors', 'only the error lines (the failed requests)')
    .option('--ok', 'only the successful lines')
    .option('--follow', 'stream the results while the batch runs, until it ends (batchmode servers)')
    .option('--input <csv>', 'the CSV the batch was made from (with the same --prompt-column / --key-column), for CSV results')
    .option('--save-images <dir>', 'write every image of the results as <dir>/<key>-<n>.png (lines go to -o only)');
  addFormatOptions(command).action(runClientAction(async (name: string, flags: ResultsFlags) => {
    if (flags.errors && flags.ok) throw new CliExit(EXIT.USAGE, '--errors and --ok exclude each other');
    const filter: LineFilter = flags.errors ? 'errors' : flags.ok ? 'ok' : undefined;
    const csv = flags.input !== undefined || wantsCsv(flags.output);
    if (csv && (flags.input === undefined || !wantsCsv(flags.output))) {
      throw new CliExit(EXIT.USAGE, 'CSV results need both --input <the CSV the batch was made from> and -o <results.csv>');
    }
    if (csv && flags.saveImages !== undefined) throw new CliExit(EXIT.USAGE, '--save-images writes JSONL results (or none), not CSV');
    const { client, json } = clientFrom(flags);
    const operation = await client.getBatch(resourceName('batches', name));
    const written = csv
      ? await writeCsv(client, operation, flags, filter)
      : await writeLines(client, operation, flags.follow === true, filter, flags.output, flags.saveImages);
    process.exitCode = written.errorLines > 0 ? EXIT.REQUESTS_FAILED : EXIT.OK;
    if (flags.saveImages !== undefined) {
      if (json) return printJson({ name: operation.name, imagesDir: flags.saveImages, ...(flags.output === undefined ? {} : { output: flags.output }), ...written });
      process.stdout.write(`saved ${formatCount(written.images ?? 0)} images of ${operation.name} to ${flags.saveImages} (${formatCount(written.lines)} lines, ${formatCount(written.errorLines)} errors)\n`);
    }
    if (flags.output === undefined) return;
    if (json) return printJson({ name: operation.name, output: flags.output, ...written });
    const what = csv ? 'rows' : 'lines';
    process.stdout.write(`saved results of ${operation.name} to ${flags.output} (${formatCount(written.lines)} ${what}, ${formatCount(written.errorLines)} errors, ${formatBytes(written.bytes)})\n`);
  }));
}

/**
 * The (filtered) result lines to a file or stdout, and with `imagesDir` their images to that
 * folder (the lines then go to `output` only: base64 images are no reading for a terminal).
 */
async function writeLines(client: ApiClient, operation: BatchOperation, follow: boolean, filter: LineFilter, output: string | undefined, imagesDir?: string): Promise<Written> {
  const destination = output !== undefined ? createWriteStream(output) : imagesDir === undefined ? process.stdout : undefined;
  const written: Written = { lines: 0, errorLines: 0, bytes: 0, ...(imagesDir === undefined ? {} : { images: 0 }) };
  if (imagesDir !== undefined) await mkdir(imagesDir, { recursive: true });
  try {
    await readResultLines(client, operation, follow, async (line) => {
      if (!passes(filter, line)) return;
      written.lines++;
      if (filter === 'errors' || (filter === undefined && isErrorLine(line))) written.errorLines++;
      if (imagesDir !== undefined) written.images! += await saveImages(line, written.lines, imagesDir);
      if (destination === undefined) return;
      const text = `${line}\n`;
      written.bytes += Buffer.byteLength(text);
      if (!destination.write(text)) await once(destination, 'drain');
    });
  } finally {
    if (destination !== undefined && destination !== process.stdout) {
      destination.end();
      await finished(destination);
    }
  }
  return written;
}

/** All result lines to a work file, then the input CSV's rows joined with them (only the filtered ones). */
async function writeCsv(client: ApiClient, operation: BatchOperation, flags: ResultsFlags, filter: LineFilter): Promise<Written> {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-results-'));
  try {
    const jsonl = join(work, 'results.jsonl');
    await writeLines(client, operation, flags.follow === true, undefined, jsonl);
    const options = convertOptionsOf(flags);
    const output = flags.output ?? '';
    const joined = await joinCsvResults(flags.input ?? '', jsonl, output, {
      ...(options.promptColumn ? { promptColumn: options.promptColumn } : {}),
      ...(options.keyColumn ? { keyColumn: options.keyColumn } : {}),
      ...(filter ? { keep: (line: string) => passes(filter, line) } : {}),
    });
    return { lines: joined.rows, errorLines: joined.errorRows, bytes: (await stat(output)).size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' };

/** Writes the images of `line` (the `position`-th written) to `dir`; answers how many. */
async function saveImages(line: string, position: number, dir: string): Promise<number> {
  const { key, images } = imagesOfLine(line);
  // Keys are the user's: anything but letters, digits, dot, dash and underscore becomes `_`.
  const stem = key === undefined || key === '' ? `line-${position}` : key.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  for (const [index, image] of images.entries()) {
    const extension = IMAGE_EXTENSIONS[image.mimeType.toLowerCase()] ?? 'img';
    await writeFile(join(dir, `${stem}-${index + 1}.${extension}`), Buffer.from(image.data, 'base64'));
  }
  return images.length;
}

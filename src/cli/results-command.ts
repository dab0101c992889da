/**
 * `batchmode batches results <name> [--errors | --ok] [--follow] [-o F] [--input in.csv …]`:
 * a batch's result lines to stdout or a file. `--errors` / `--ok` keep only the error / the
 * successful lines; `--follow` streams them while the batch runs, until it ends. With `--input`
 * (the CSV the batch was made from, with the same `--prompt-column` / `--key-column`) and a
 * `.csv` output, it writes the CSV's rows joined with their results instead. Exit 3 when any
 * line (or row) written is an error, 0 otherwise.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
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
import { isErrorLine, passes, readResultLines, type LineFilter } from './result-lines.js';
import { wantsCsv } from './submit-flow.js';

interface ResultsFlags extends ClientOptions, Pick<InputFlags, 'format' | 'promptColumn' | 'keyColumn'> {
  output?: string;
  errors?: boolean;
  ok?: boolean;
  follow?: boolean;
  input?: string;
}

/** What was written. */
interface Written {
  lines: number;
  errorLines: number;
  bytes: number;
}

export function registerResultsCommand(batches: Command): void {
  const command = addClientOptions(batches.command('results').argument('<name>', 'batch name').description("Write a batch's result lines (JSONL) to a file or stdout; exit 3 when any is an error"))
    .option('-o, --output <file>', 'write to this file instead of stdout (a .csv with --input: the input rows joined with their results)')
    .option('--errors', 'only the error lines (the failed requests)')
    .option('--ok', 'only the successful lines')
    .option('--follow', 'stream the results while the batch runs, until it ends (batchmode servers)')
    .option('--input <csv>', 'the CSV the batch was made from (with the same --prompt-column / --key-column), for CSV results');
  addFormatOptions(command).action(runClientAction(async (name: string, flags: ResultsFlags) => {
    if (flags.errors && flags.ok) throw new CliExit(EXIT.USAGE, '--errors and --ok exclude each other');
    const filter: LineFilter = flags.errors ? 'errors' : flags.ok ? 'ok' : undefined;
    const csv = flags.input !== undefined || wantsCsv(flags.output);
    if (csv && (flags.input === undefined || !wantsCsv(flags.output))) {
      throw new CliExit(EXIT.USAGE, 'CSV results need both --input <the CSV the batch was made from> and -o <results.csv>');
    }
    const { client, json } = clientFrom(flags);
    const operation = await client.getBatch(resourceName('batches', name));
    const written = csv
      ? await writeCsv(client, operation, flags, filter)
      : await writeLines(client, operation, flags.follow === true, filter, flags.output);
    process.exitCode = written.errorLines > 0 ? EXIT.REQUESTS_FAILED : EXIT.OK;
    if (flags.output === undefined) return;
    if (json) return printJson({ name: operation.name, output: flags.output, ...written });
    const what = csv ? 'rows' : 'lines';
    process.stdout.write(`saved results of ${operation.name} to ${flags.output} (${formatCount(written.lines)} ${what}, ${formatCount(written.errorLines)} errors, ${formatBytes(written.bytes)})\n`);
  }));
}

/** The (filtered) result lines to a file or stdout. */
async function writeLines(client: ApiClient, operation: BatchOperation, follow: boolean, filter: LineFilter, output: string | undefined): Promise<Written> {
  const destination = output === undefined ? process.stdout : createWriteStream(output);
  const written: Written = { lines: 0, errorLines: 0, bytes: 0 };
  try {
    await readResultLines(client, operation, follow, async (line) => {
      if (!passes(filter, line)) return;
      written.lines++;
      if (filter === 'errors' || (filter === undefined && isErrorLine(line))) written.errorLines++;
      const text = `${line}\n`;
      written.bytes += Buffer.byteLength(text);
      if (!destination.write(text)) await once(destination, 'drain');
    });
  } finally {
    if (destination !== process.stdout) {
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

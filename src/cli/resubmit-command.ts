/**
 * `batchmode resubmit <batch> --failed [-m M] [--wait] [-o F]`: a new batch of exactly the
 * requests that failed in an earlier one. The earlier batch's results give the failed keys (or,
 * for lines without keys, their positions: results are in input order); its input file is then
 * streamed and the lines with those keys are copied as they are, keys included, into a new
 * request file, which is submitted like `submit` does (idempotent, estimated, confirmed on a
 * terminal). Only file batches: the API does not give an inline batch's requests back.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { resourceName, type ApiClient } from '../client/api-client.js';
import { isTerminalState, shortState, type BatchOperation } from '../client/wire-types.js';
import { kindOfBatch } from './batch-kind.js';
import { pollOption } from './client-command.js';
import { addClientAction } from './client-subcommands.js';
import { CliExit, EXIT } from './exit-codes.js';
import { addBatchOptions, batchOptionsOf, type BatchFlags } from './input-options.js';
import { formatCount } from './output/format.js';
import { isErrorLine, readResultLines } from './result-lines.js';
import { downloadResults, exitCodeOf } from './submit-flow.js';
import { submitRequestFile } from './submit-request-file.js';

interface ResubmitFlags extends BatchFlags {
  failed?: boolean;
  model?: string;
  wait?: boolean;
  output?: string;
  yes?: boolean;
  idempotencyKey?: string;
  pollSeconds?: string;
  json?: boolean;
  baseUrl?: string;
  apiKey?: string;
}

export function registerResubmitCommand(program: Command): void {
  const command = program
    .command('resubmit')
    .description('Create a new batch of the requests that failed in an earlier batch (same lines, same keys)')
    .argument('<batch>', 'the earlier batch (batches/ID or ID); it must have ended')
    .option('--failed', 'resubmit its failed requests (required: the only selection so far)')
    .option('-m, --model <model>', 'model for the new batch (default: the earlier batch\'s)')
    .option('-w, --wait', 'watch the new batch until it ends, then download its results')
    .option('-o, --output <file>', 'where --wait writes the results (default <batch-id>.results.jsonl)')
    .option('-y, --yes', 'create without asking')
    .option('--idempotency-key <key>', 'the create\'s Idempotency-Key (default: derived from the failed requests and options)')
    .option('--poll-seconds <seconds>', 'how often --wait polls (default 1)');
  addBatchOptions(command);
  addClientAction(command, async (batch: string, flags: ResubmitFlags, { client, json }) => {
    if (!flags.failed) throw new CliExit(EXIT.USAGE, 'say which requests: --failed');
    const earlier = await client.getBatch(resourceName('batches', batch));
    const state = shortState(earlier.metadata?.state);
    if (!isTerminalState(state)) throw new CliExit(EXIT.FAILURE, `${earlier.name} is ${state}; resubmit its failed requests once it has ended`);
    const inputFile = (earlier.metadata as { inputConfig?: { fileName?: string } } | undefined)?.inputConfig?.fileName;
    if (!inputFile) throw new CliExit(EXIT.FAILURE, `${earlier.name} was made from inline requests, which the API does not give back: resubmit works for batches made from a file`);
    const out = process.stderr;
    const work = mkdtempSync(join(tmpdir(), 'batchmode-resubmit-'));
    try {
      const failed = await failedOf(client, earlier);
      if (failed.count === 0) {
        out.write(`${earlier.name} has no failed requests: nothing to resubmit\n`);
        if (json) process.stdout.write(`${JSON.stringify({ from: earlier.name, failedCount: 0 })}\n`);
        return;
      }
      const inputCopy = join(work, 'input.jsonl');
      await client.downloadFile(inputFile, inputCopy);
      const requestFile = join(work, 'failed.requests.jsonl');
      const selected = await selectLines(inputCopy, requestFile, failed);
      if (selected.count !== failed.count) out.write(`note: ${formatCount(failed.count)} failed results, ${formatCount(selected.count)} matching input lines\n`);
      if (selected.count === 0) throw new CliExit(EXIT.FAILURE, `none of the failed requests of ${earlier.name} were found in its input file ${inputFile}`);
      out.write(`resubmitting ${formatCount(selected.count)} failed requests of ${earlier.name}\n`);
      const id = earlier.name.replace(/^batches\//, '');
      const options = batchOptionsOf(flags);
      const submitted = await submitRequestFile(client, {
        requestFile, requestCount: selected.count, sourceLine: (n) => selected.sourceLines[n - 1] ?? n, label: `${inputFile} (of ${earlier.name})`,
        parts: {
          model: (flags.model ?? earlier.metadata?.model ?? '').replace(/^models\//, ''),
          kind: await kindOfBatch(client, earlier),
          ...options,
          displayName: options.displayName ?? `${earlier.metadata?.displayName || id} (failed requests)`,
        },
        wait: flags.wait === true,
        ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
        ...(flags.yes ? { yes: true } : {}),
        ...pollOption(flags.pollSeconds),
      }, out);
      const summary = { from: earlier.name, batch: submitted.operation.name, failedCount: failed.count, requestCount: selected.count, reused: submitted.reused };
      let exitCode: number = EXIT.OK;
      let outputPath: string | undefined;
      if (submitted.watched?.kind === 'left') exitCode = EXIT.INTERRUPTED;
      else if (submitted.watched) {
        const ended = submitted.watched.operation;
        outputPath = await downloadResults(client, ended, flags.output ?? `${ended.name.replace(/^batches\//, '')}.results.jsonl`, out);
        exitCode = exitCodeOf(ended);
      }
      process.stdout.write(json ? `${JSON.stringify({ ...summary, ...(outputPath ? { outputPath } : {}), exitCode })}\n` : `${submitted.operation.name}\n`);
      process.exitCode = exitCode;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** The failed requests of a finished batch: their keys, and the positions of failed lines without one. */
interface Failed {
  keys: Set<string>;
  positions: Set<number>;
  count: number;
}

async function failedOf(client: ApiClient, operation: BatchOperation): Promise<Failed> {
  const failed: Failed = { keys: new Set(), positions: new Set(), count: 0 };
  let position = 0;
  await readResultLines(client, operation, false, async (line) => {
    const at = position++;
    if (!isErrorLine(line)) return;
    failed.count++;
    const key = (JSON.parse(line) as { key?: unknown }).key;
    if (typeof key === 'string') failed.keys.add(key);
    else failed.positions.add(at);
  });
  return failed;
}

/** Copies the input lines of the failed requests; resolves how many and where each came from. */
async function selectLines(inputPath: string, outputPath: string, failed: Failed): Promise<{ count: number; sourceLines: number[] }> {
  const output = createWriteStream(outputPath);
  const sourceLines: number[] = [];
  let lineNumber = 0;
  let position = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(inputPath), crlfDelay: Infinity })) {
      lineNumber++;
      const text = lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line;
      if (text.trim() === '') continue;
      const at = position++;
      let key: unknown;
      try {
        key = (JSON.parse(text) as { key?: unknown }).key;
      } catch {
        key = undefined;
      }
      if (typeof key === 'string' ? !failed.keys.has(key) : !failed.positions.has(at)) continue;
      sourceLines.push(lineNumber);
      if (!output.write(`${text}\n`)) await once(output, 'drain');
    }
  } finally {
    output.end();
    await once(output, 'close');
  }
  return { count: sourceLines.length, sourceLines };
}

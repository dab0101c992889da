/**
 * The path from a user's file to results, shared by `submit` and `run`: decide the batch kind
 * (`--embeddings`, or a model that only embeds), convert the input to a request file, submit it
 * (submit-request-file.ts: idempotent, estimated, confirmed), and with `wait` watch it and write
 * its results: JSONL, or for a CSV input and a `.csv` output the input rows joined with their
 * results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ApiClient, BatchKind, BatchValidation } from '../client/api-client.js';
import { convertBatchInput, detectFormat, InputError, type ConvertOptions } from '../client/batch-input.js';
import { joinCsvResults } from '../client/csv-results.js';
import { countsOf, responsesFileOf, shortState, type BatchOperation } from '../client/wire-types.js';
import { kindForModel } from './batch-kind.js';
import { CliExit, EXIT } from './exit-codes.js';
import { formatBytes, formatCount } from './output/format.js';
import { submitRequestFile, type RequestFileSpec } from './submit-request-file.js';

export interface SubmitInput extends ConvertOptions {
  inputPath: string;
  model: string;
  /** `--embeddings`: an asyncBatchEmbedContent batch (also chosen for a model that only embeds). */
  embeddings?: boolean;
  displayName?: string;
  priority?: number;
  completionWindowSeconds?: number;
  idempotencyKey?: string;
  wait: boolean;
  outputPath?: string;
  pollMs?: number;
  onInterrupt?: 'ask' | 'cancel';
  /** Create without asking on a terminal. */
  yes?: boolean;
}

export interface SubmitOutcome {
  batch: string;
  state: string;
  kind: BatchKind;
  requestCount: number;
  /** True when an earlier run had already created this batch from the same input. */
  reused: boolean;
  idempotencyKey: string;
  estimate?: BatchValidation;
  succeededCount?: number;
  failedCount?: number;
  /** Where the results were written (only after --wait). */
  outputPath?: string;
  /** `left` when the user left the batch running (Ctrl-C). */
  watched?: 'ended' | 'left';
  exitCode: number;
}

/** True for an output path that asks for CSV results. */
export const wantsCsv = (path: string | undefined): boolean => path !== undefined && /\.csv$/i.test(path);

export async function submitBatch(client: ApiClient, input: SubmitInput, out: NodeJS.WriteStream = process.stderr): Promise<SubmitOutcome> {
  const format = input.format ?? detectFormat(input.inputPath);
  if (wantsCsv(input.outputPath) && format !== 'csv') {
    throw new CliExit(EXIT.USAGE, `${input.outputPath}: CSV results are the input's rows joined with their results, so they need a CSV input; write .jsonl results instead`);
  }
  const work = mkdtempSync(join(tmpdir(), 'batchmode-submit-'));
  try {
    const model = input.model.replace(/^models\//, '');
    const kind = await kindForModel(client, model, input.embeddings);
    if (kind === 'embed' && input.embeddings !== true) out.write(`${model} only embeds: making an embeddings batch\n`);
    const requestFile = join(work, `${basename(input.inputPath)}.requests.jsonl`);
    const converted = await convertBatchInput(input.inputPath, requestFile, { ...input, format, kind, passUnreadable: true }).catch((error: unknown) => {
      if (error instanceof InputError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliExit(EXIT.USAGE, (error as Error).message);
      throw error;
    });
    const spec: RequestFileSpec = {
      requestFile, requestCount: converted.count, sourceLine: converted.sourceLine, label: input.inputPath,
      parts: {
        model, kind,
        ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.completionWindowSeconds !== undefined ? { completionWindowSeconds: input.completionWindowSeconds } : {}),
      },
      wait: input.wait,
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(input.pollMs ? { pollMs: input.pollMs } : {}),
      ...(input.onInterrupt ? { onInterrupt: input.onInterrupt } : {}),
      ...(input.yes ? { yes: true } : {}),
    };
    const submitted = await submitRequestFile(client, spec, out);
    const { operation } = submitted;
    const base = {
      batch: operation.name, kind, requestCount: converted.count, reused: submitted.reused, idempotencyKey: submitted.idempotencyKey,
      ...(submitted.estimate ? { estimate: submitted.estimate } : {}),
    };
    const watched = submitted.watched;
    if (!watched) return { ...base, state: shortState(operation.metadata?.state), exitCode: EXIT.OK };
    const counts = countsOf(watched.operation);
    const ended = { ...base, state: shortState(watched.operation.metadata?.state), succeededCount: counts.succeeded, failedCount: counts.failed };
    if (watched.kind === 'left') return { ...ended, watched: 'left', exitCode: EXIT.INTERRUPTED };
    const target = input.outputPath ?? `${operation.name.replace(/^batches\//, '')}.results.jsonl`;
    const outputPath = wantsCsv(target)
      ? await downloadCsvResults(client, watched.operation, { inputCsv: input.inputPath, outputPath: target, work, convert: input }, out)
      : await downloadResults(client, watched.operation, target, out);
    return { ...ended, watched: 'ended', ...(outputPath ? { outputPath } : {}), exitCode: exitCodeOf(watched.operation) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** 0 when every request succeeded, 3 when some failed, 1 when the batch did not succeed. */
export function exitCodeOf(operation: BatchOperation): number {
  if (shortState(operation.metadata?.state) !== 'SUCCEEDED') return EXIT.FAILURE;
  return countsOf(operation).failed > 0 ? EXIT.REQUESTS_FAILED : EXIT.OK;
}

/** Downloads a finished batch's results file; resolves the path, or undefined when it has none. */
export async function downloadResults(client: ApiClient, operation: BatchOperation, path: string, out: NodeJS.WriteStream): Promise<string | undefined> {
  const responsesFile = responsesFileOf(operation);
  if (!responsesFile) {
    out.write(`${operation.name} has no results file\n`);
    return undefined;
  }
  const bytes = await client.downloadFile(responsesFile, path);
  const { succeeded, failed } = countsOf(operation);
  out.write(`${shortState(operation.metadata?.state)}: ${formatCount(succeeded)} succeeded, ${formatCount(failed)} failed; results (${formatBytes(bytes)}) in ${path}\n`);
  return path;
}

/** Downloads the results next to the work files and writes them joined with the input CSV's rows. */
async function downloadCsvResults(
  client: ApiClient,
  operation: BatchOperation,
  csv: { inputCsv: string; outputPath: string; work: string; convert: Pick<ConvertOptions, 'promptColumn' | 'keyColumn'> },
  out: NodeJS.WriteStream,
): Promise<string | undefined> {
  const responsesFile = responsesFileOf(operation);
  if (!responsesFile) {
    out.write(`${operation.name} has no results file\n`);
    return undefined;
  }
  const jsonl = join(csv.work, 'results.jsonl');
  await client.downloadFile(responsesFile, jsonl);
  const joined = await joinCsvResults(csv.inputCsv, jsonl, csv.outputPath, csv.convert);
  const { succeeded, failed } = countsOf(operation);
  out.write(`${shortState(operation.metadata?.state)}: ${formatCount(succeeded)} succeeded, ${formatCount(failed)} failed; ${formatCount(joined.rows)} rows with their results in ${csv.outputPath}\n`);
  return csv.outputPath;
}

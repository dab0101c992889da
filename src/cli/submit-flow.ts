/**
 * The path from a user's file to results, shared by `submit` and `run`: convert the input to
 * a request file, upload it (with a progress bar on a terminal), create the batch, and
 * optionally watch it and download its results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ApiClient } from '../client/api-client.js';
import { convertBatchInput, InputError, type ConvertOptions } from '../client/batch-input.js';
import { countsOf, responsesFileOf, shortState, type BatchOperation } from '../client/wire-types.js';
import { CliExit, EXIT } from './exit-codes.js';
import { formatBytes, formatCount } from './output/format.js';
import { createProgressBar } from './output/progress-bar.js';
import { watchBatch } from './watch-batch.js';

export interface SubmitInput extends ConvertOptions {
  inputPath: string;
  model: string;
  displayName?: string;
  wait: boolean;
  outputPath?: string;
  pollMs?: number;
  onInterrupt?: 'ask' | 'cancel';
}

export interface SubmitOutcome {
  batch: string;
  state: string;
  requestCount: number;
  succeededCount?: number;
  failedCount?: number;
  /** Where the results were written (only after --wait). */
  outputPath?: string;
  /** `left` when the user left the batch running (Ctrl-C). */
  watched?: 'ended' | 'left';
  exitCode: number;
}

export async function submitBatch(client: ApiClient, input: SubmitInput, out: NodeJS.WriteStream = process.stderr): Promise<SubmitOutcome> {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-submit-'));
  try {
    const requestFile = join(work, `${basename(input.inputPath)}.requests.jsonl`);
    const requestCount = await convertBatchInput(input.inputPath, requestFile, input).catch((error: unknown) => {
      if (error instanceof InputError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliExit(EXIT.USAGE, (error as Error).message);
      throw error;
    });
    const uploadBar = createProgressBar(out, 'upload');
    const started = Date.now();
    const file = await client.uploadFile(requestFile, {
      displayName: input.displayName ?? basename(input.inputPath),
      mimeType: 'application/jsonl',
      onProgress: (sent, total) => {
        const seconds = Math.max(0.001, (Date.now() - started) / 1000);
        uploadBar.update(total > 0 ? sent / total : 1, `${formatBytes(sent)} / ${formatBytes(total)}  ${formatBytes(sent / seconds)}/s`);
      },
    });
    uploadBar.done();
    out.write(`uploaded ${file.name} (${formatCount(requestCount)} requests, ${formatBytes(Number(file.sizeBytes ?? 0))})\n`);
    const created = await client.createBatch(input.model, { fileName: file.name }, input.displayName ? { displayName: input.displayName } : {});
    out.write(`created ${created.name} on ${input.model.replace(/^models\//, '')}\n`);
    if (!input.wait) {
      out.write(`watch it with:  batchmode batches watch ${created.name}\n`);
      return { batch: created.name, state: shortState(created.metadata?.state), requestCount, exitCode: EXIT.OK };
    }
    const watched = await watchBatch({
      client, name: created.name, out, ...(input.pollMs ? { pollMs: input.pollMs } : {}), ...(input.onInterrupt ? { onInterrupt: input.onInterrupt } : {}),
    });
    const counts = countsOf(watched.operation);
    const base = {
      batch: created.name, state: shortState(watched.operation.metadata?.state), requestCount,
      succeededCount: counts.succeeded, failedCount: counts.failed,
    };
    if (watched.kind === 'left') return { ...base, watched: 'left', exitCode: EXIT.INTERRUPTED };
    const outputPath = await downloadResults(client, watched.operation, input.outputPath ?? `${created.name.replace(/^batches\//, '')}.results.jsonl`, out);
    return { ...base, watched: 'ended', ...(outputPath ? { outputPath } : {}), exitCode: exitCodeOf(watched.operation) };
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

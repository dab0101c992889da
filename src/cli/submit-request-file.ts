/**
 * From a request file to a batch, for `submit` and `resubmit`: derive the idempotency key, find
 * a batch an earlier run made from the same input (then upload nothing), upload (resumable: a
 * failed chunk continues from the server's offset), ask the server for the estimate (its dry
 * run: line errors, request count, input tokens, input cost), confirm on a terminal unless
 * `--yes`, create, and optionally watch until it ends.
 */
import { basename } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ApiClient, BatchValidation } from '../client/api-client.js';
import { ApiError } from '../client/api-error.js';
import { shortState, type BatchOperation } from '../client/wire-types.js';
import { formatLineErrors, InvalidLinesError, isGoogleEndpoint, estimateLine, validateFile } from './estimate.js';
import { CliExit, EXIT } from './exit-codes.js';
import { createIdempotent, findEarlierBatch, idempotencyKeyOf, type CreateParts } from './idempotent-create.js';
import { formatBytes, formatCount } from './output/format.js';
import { createProgressBar } from './output/progress-bar.js';
import { watchBatch, type WatchResult } from './watch-batch.js';

export interface RequestFileSpec {
  requestFile: string;
  requestCount: number;
  /** The user's input line of request line `n` (for line errors). */
  sourceLine: (n: number) => number;
  /** The user's input, as messages name it; its base name is the uploaded file's default display name. */
  label: string;
  parts: CreateParts;
  /** Overrides the derived key (to make a second batch from the same input on purpose). */
  idempotencyKey?: string;
  wait: boolean;
  pollMs?: number;
  onInterrupt?: 'ask' | 'cancel';
  /** Create without asking, even on a terminal. */
  yes?: boolean;
}

export interface Submitted {
  operation: BatchOperation;
  /** True when an earlier run had created the batch from the same input. */
  reused: boolean;
  idempotencyKey: string;
  estimate?: BatchValidation;
  /** After `wait`: how watching ended. */
  watched?: WatchResult;
}

export async function submitRequestFile(client: ApiClient, spec: RequestFileSpec, out: NodeJS.WriteStream): Promise<Submitted> {
  const { parts } = spec;
  const model = parts.model.replace(/^models\//, '');
  const key = spec.idempotencyKey ?? (await idempotencyKeyOf(spec.requestFile, parts));
  // Google's endpoint keeps no idempotency keys: nothing to find there.
  const earlier = isGoogleEndpoint(client.baseUrl) ? undefined : await findEarlierBatch(client, parts, key);
  if (earlier) {
    reportReused(earlier, out);
    return { operation: earlier, reused: true, idempotencyKey: key, ...(await watchIf(client, spec, earlier.name, out)) };
  }

  const file = await uploadRequestFile(client, spec.requestFile, { displayName: spec.parts.displayName ?? basename(spec.label), requestCount: spec.requestCount }, out);
  let estimate: BatchValidation | undefined;
  try {
    if (!isGoogleEndpoint(client.baseUrl)) {
      estimate = await validateFile(client, model, parts.kind, file.name, spec.sourceLine).catch((error: unknown) => {
        // A server without the dry run: no estimate, the create checks the lines.
        if (error instanceof ApiError && error.httpStatus === 501) return undefined;
        throw error;
      });
      out.write(estimate ? `${estimateLine(estimate)}\n` : 'no estimate: the server has no dry-run create\n');
    }
    if (!spec.yes && !(await confirm(`Create the batch on ${model}?`, out))) {
      throw new CliExit(EXIT.FAILURE, 'not created; the uploaded file was deleted');
    }
  } catch (error) {
    await client.deleteFile(file.name).catch(() => undefined);
    if (error instanceof InvalidLinesError) out.write(formatLineErrors(spec.label, error.errors) + (error.note ? `${error.note}\n` : ''));
    throw error;
  }

  const created = await createIdempotent(client, parts, key, file.name);
  if (created.reused) {
    // Another run made it from the same input meanwhile: this upload is not needed.
    await client.deleteFile(file.name).catch(() => undefined);
    reportReused(created.operation, out);
  } else {
    out.write(`created ${created.operation.name} on ${model}${parts.kind === 'embed' ? ' (embeddings)' : ''}\n`);
  }
  return { ...created, idempotencyKey: key, ...(estimate ? { estimate } : {}), ...(await watchIf(client, spec, created.operation.name, out)) };
}

function reportReused(operation: BatchOperation, out: NodeJS.WriteStream): void {
  const state = shortState(operation.metadata?.state);
  out.write(`found ${operation.name} created earlier from the same input (${state}); not creating another\n`);
  if (['FAILED', 'CANCELLED', 'EXPIRED'].includes(state)) {
    out.write(`(to make a new batch from this input anyway, pass --idempotency-key with a new value)\n`);
  }
}

/** Uploads a request file with a progress bar (on a terminal) and a line saying what was uploaded. */
export async function uploadRequestFile(
  client: ApiClient,
  requestFile: string,
  what: { displayName: string; requestCount: number },
  out: NodeJS.WriteStream,
): Promise<{ name: string }> {
  const bar = createProgressBar(out, 'upload');
  const started = Date.now();
  const file = await client.uploadFile(requestFile, {
    displayName: what.displayName,
    mimeType: 'application/jsonl',
    onProgress: (sent, total) => {
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(total > 0 ? sent / total : 1, `${formatBytes(sent)} / ${formatBytes(total)}  ${formatBytes(sent / seconds)}/s`);
    },
  });
  bar.done();
  out.write(`uploaded ${file.name} (${formatCount(what.requestCount)} requests, ${formatBytes(Number(file.sizeBytes ?? 0))})\n`);
  return file;
}

async function watchIf(client: ApiClient, spec: RequestFileSpec, name: string, out: NodeJS.WriteStream): Promise<{ watched?: WatchResult }> {
  if (!spec.wait) {
    out.write(`watch it with:  batchmode batches watch ${name}\n`);
    return {};
  }
  return {
    watched: await watchBatch({ client, name, out, ...(spec.pollMs ? { pollMs: spec.pollMs } : {}), ...(spec.onInterrupt ? { onInterrupt: spec.onInterrupt } : {}) }),
  };
}

/** Asks `question [Y/n]` on a terminal; true off a terminal (scripts proceed) and for an empty answer. */
async function confirm(question: string, out: NodeJS.WriteStream, input: NodeJS.ReadStream = process.stdin): Promise<boolean> {
  if (!input.isTTY || !out.isTTY) return true;
  const prompt = createInterface({ input, output: out });
  const declined = new Promise<string>((resolve) => prompt.once('SIGINT', () => resolve('n')));
  try {
    const answer = await Promise.race([prompt.question(`${question} [Y/n] `), declined]);
    return !/^n/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

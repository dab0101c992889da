/**
 * The batch calls beyond a plain get/list: create (generate or embed, with the batchmode
 * extensions priority and completion window, and an `Idempotency-Key` that makes it safe to
 * try again), the `?validateOnly=true` dry run, `:progress`, and the priority update.
 */
import { ApiError } from './api-error.js';
import { resourceName } from './file-download.js';
import type { Transport } from './http-transport.js';
import { noRetries, withRetries } from './retrying-call.js';
import type { BatchOperation, BatchProgress, BatchValidation } from './wire-types.js';

export type BatchKind = 'generate' | 'embed';

export interface CreateBatchOptions {
  kind?: BatchKind;
  displayName?: string;
  /** Higher runs first (batchmode extension). */
  priority?: number;
  /** Seconds (batchmode extension): past this the batch expires. */
  completionWindowSeconds?: number;
  /** Same key and same request → the same batch: with a key, the create is retried on transient failures. */
  idempotencyKey?: string;
}

export type BatchInput = { fileName: string } | { requests: unknown[] };

const METHOD: Record<BatchKind, string> = { generate: 'batchGenerateContent', embed: 'asyncBatchEmbedContent' };

const createPath = (model: string, kind: BatchKind, query = ''): string =>
  `/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${METHOD[kind]}${query}`;

function createBody(input: BatchInput, options: CreateBatchOptions): string {
  return JSON.stringify({
    batch: {
      ...(options.displayName ? { displayName: options.displayName } : {}),
      inputConfig: 'fileName' in input ? { fileName: input.fileName } : { requests: { requests: input.requests } },
      ...(options.priority !== undefined ? { priority: String(options.priority) } : {}),
      ...(options.completionWindowSeconds !== undefined ? { completionWindow: `${options.completionWindowSeconds}s` } : {}),
    },
  });
}

export function createBatch(transport: Transport, model: string, input: BatchInput, options: CreateBatchOptions = {}): Promise<BatchOperation> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
    body: createBody(input, options),
  };
  // Without a key a retry could make a second batch, so a failure is final.
  const policy = options.idempotencyKey ? transport.policy : noRetries(transport.policy);
  return withRetries('batches.create', policy, () => transport.json<BatchOperation>('batches.create', createPath(model, options.kind ?? 'generate'), init));
}

interface ValidationBody { validateOnly?: boolean; model?: string; requestCount?: string; estimatedInputTokens?: string; estimatedInputCostUsd?: number; name?: string }

/**
 * The dry run. A server that ignores `validateOnly` (not batchmode) creates the batch: it is
 * then cancelled and deleted at once, and the call fails saying the server cannot validate.
 */
export async function validateBatch(transport: Transport, model: string, input: BatchInput, kind: BatchKind = 'generate'): Promise<BatchValidation> {
  let body: ValidationBody;
  try {
    body = await transport.retried<ValidationBody>('batches.validate', createPath(model, kind, '?validateOnly=true'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: createBody(input, {}),
    });
  } catch (error) {
    // The line errors are the answer: the server's message as it is, one `Error on line N: …` a line.
    if (error instanceof ApiError && error.httpStatus === 400 && error.serverMessage) {
      throw new ApiError(error.serverMessage, 400, error.status, undefined, error.serverMessage);
    }
    throw error;
  }
  if (body.validateOnly !== true) {
    if (typeof body.name === 'string' && body.name.startsWith('batches/')) {
      const name = resourceName('batches', body.name);
      await transport.send('batches.cancel', `/v1beta/${name}:cancel`, { method: 'POST' }).catch(() => undefined);
      await transport.send('batches.delete', `/v1beta/${name}`, { method: 'DELETE' }).catch(() => undefined);
    }
    throw new ApiError(`batches.validate: ${transport.baseUrl} does not support validateOnly (a batchmode extension)`, 501, 'UNIMPLEMENTED');
  }
  return {
    model: body.model ?? `models/${model.replace(/^models\//, '')}`,
    requestCount: Number(body.requestCount ?? 0),
    estimatedInputTokens: Number(body.estimatedInputTokens ?? 0),
    ...(typeof body.estimatedInputCostUsd === 'number' ? { estimatedInputCostUsd: body.estimatedInputCostUsd } : {}),
  };
}

export const getProgress = (transport: Transport, name: string): Promise<BatchProgress> =>
  transport.retried('batches.progress', `/v1beta/${resourceName('batches', name)}:progress`);

/** Sets a batch's priority (`:updateGenerateContentBatch` / `:updateEmbedContentBatch`; the same value twice is harmless, so it is retried). */
export async function updateBatch(transport: Transport, name: string, kind: BatchKind, fields: { priority: number }): Promise<void> {
  const verb = kind === 'generate' ? 'updateGenerateContentBatch' : 'updateEmbedContentBatch';
  await transport.retried('batches.update', `/v1beta/${resourceName('batches', name)}:${verb}?updateMask=priority`, {
    method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ priority: String(fields.priority) }),
  });
}

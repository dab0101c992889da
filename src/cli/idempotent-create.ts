/**
 * Submitting twice makes one batch. Every create sends an `Idempotency-Key` derived from what
 * the batch is made of: a SHA-256 of the request file's bytes, the model, the kind and the
 * create options. A rerun of the same command on the same input after any failure (a dropped
 * connection, a killed process) thus has the same key, and the server answers with the batch
 * the first run created.
 *
 * The server's replay also compares the create's body, whose `fileName` differs on a rerun (the
 * file is uploaded again), so it answers 409 ALREADY_EXISTS naming the earlier batch instead;
 * either answer is "found". Before uploading, `findEarlierBatch` asks with a body naming a file
 * that cannot exist: a key already used answers that 409 (nothing is uploaded again), an unused
 * key fails on the missing file and creates nothing. Whether a batch was made by this run is
 * known from that question, not from clocks.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type { ApiClient, BatchKind, CreateBatchOptions } from '../client/api-client.js';
import { ApiError, errorInfoMetadata } from '../client/api-error.js';
import type { BatchOperation } from '../client/wire-types.js';

/** What a batch is made of besides its requests. */
export interface CreateParts {
  model: string;
  kind: BatchKind;
  displayName?: string;
  priority?: number;
  completionWindowSeconds?: number;
}

/** A file no upload can produce: the probe's input. */
const PROBE_FILE = 'files/batchmode-idempotency-probe';

/** `bm-` and 40 hex digits: the same for the same request bytes, model, kind and options. */
export async function idempotencyKeyOf(requestFile: string, parts: CreateParts): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(requestFile)) hash.update(chunk as Buffer);
  const options = {
    model: parts.model.replace(/^models\//, ''), kind: parts.kind, displayName: parts.displayName ?? null,
    priority: parts.priority ?? null, completionWindowSeconds: parts.completionWindowSeconds ?? null,
  };
  hash.update(`\n${JSON.stringify(options)}`);
  return `bm-${hash.digest('hex').slice(0, 40)}`;
}

const createOptions = (parts: CreateParts, key: string): CreateBatchOptions => ({
  kind: parts.kind,
  idempotencyKey: key,
  ...(parts.displayName !== undefined ? { displayName: parts.displayName } : {}),
  ...(parts.priority !== undefined ? { priority: parts.priority } : {}),
  ...(parts.completionWindowSeconds !== undefined ? { completionWindowSeconds: parts.completionWindowSeconds } : {}),
});

/**
 * The batch named by a 409 ALREADY_EXISTS answer to a create with a used key, if this is one:
 * from its google.rpc.ErrorInfo (`IDEMPOTENCY_KEY_REUSED`, `metadata.batch`), or from the message
 * of a server that sends none.
 */
function batchNamedBy(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.httpStatus !== 409) return undefined;
  const named = errorInfoMetadata(error, 'IDEMPOTENCY_KEY_REUSED')?.batch;
  if (typeof named === 'string' && named.startsWith('batches/')) return named;
  return /\b(batches\/[A-Za-z0-9_-]+)/.exec(error.message)?.[1];
}

/** The batch an earlier run created with this key, if any (batchmode servers; elsewhere: none). */
export async function findEarlierBatch(client: ApiClient, parts: CreateParts, key: string): Promise<BatchOperation | undefined> {
  try {
    // Only a server that already made a batch from this exact body could answer it; none did.
    return await client.createBatch(parts.model, { fileName: PROBE_FILE }, createOptions(parts, key));
  } catch (error) {
    const name = batchNamedBy(error);
    return name === undefined ? undefined : client.getBatch(name);
  }
}

/** Creates the batch; `reused` when the key had already made one (a concurrent or earlier run). */
export async function createIdempotent(
  client: ApiClient,
  parts: CreateParts,
  key: string,
  fileName: string,
): Promise<{ operation: BatchOperation; reused: boolean }> {
  try {
    return { operation: await client.createBatch(parts.model, { fileName }, createOptions(parts, key)), reused: false };
  } catch (error) {
    const name = batchNamedBy(error);
    if (name === undefined) throw error;
    return { operation: await client.getBatch(name), reused: true };
  }
}

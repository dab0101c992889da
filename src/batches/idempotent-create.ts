/**
 * Idempotent batch creates (the `Idempotency-Key` header), shared by the native and the
 * OpenAI-compatible create: a retry with the same key and the same request gets the batch the
 * first create made; the same key on a different request is a 409 (ALREADY_EXISTS, with a
 * google.rpc.ErrorInfo naming the key's batch in `metadata.batch`). "The same
 * request" is a hash of the create's input without the tenant and the key.
 */
import { createHash } from 'node:crypto';
import type { BatchRecord } from '../core/batch.js';
import { AppError } from '../core/errors.js';

/** The hash that tells a retry from a different request reusing the key. */
export function hashOfRequest(input: { tenantId: string; idempotencyKey?: string | undefined }): string {
  const { tenantId: _tenant, idempotencyKey: _key, ...request } = input;
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** The batch an earlier create with this key made, if the request was the same; else a 409. */
export function replayOf(existing: BatchRecord | undefined, requestHash: string): BatchRecord | undefined {
  if (!existing) return undefined;
  if (existing.requestHash !== requestHash) {
    throw new AppError('ALREADY_EXISTS', `Idempotency-Key '${existing.idempotencyKey ?? ''}' was already used for a different batch create request (batches/${existing.id}).`, {
      // The batch the key made, for clients that find their earlier batch by its key (the CLI).
      errorInfo: { reason: 'IDEMPOTENCY_KEY_REUSED', domain: 'batchmode', metadata: { batch: `batches/${existing.id}` } },
    });
  }
  return existing;
}

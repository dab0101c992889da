/**
 * The requests of a finishing batch that never ran (no line in their shard's log): the error
 * each gets in the results, from the state the batch ends in (CANCELLED for a cancel,
 * DEADLINE_EXCEEDED for an expiry, the batch's own error for a failure, INTERNAL "no result"
 * otherwise), and their keys and metadata, read back from the batch's input.
 */
import type { BatchRecord, ShardRecord } from '../core/batch.js';
import type { RpcStatusName } from '../core/errors.js';
import type { RpcStatus } from '../core/gemini-types.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import { isBlank, readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import { rpcStatus, type RequestIdentity } from './result-line.js';

const UNRUN: Partial<Record<BatchRecord['state'], { status: RpcStatusName; message: string }>> = {
  BATCH_STATE_CANCELLED: { status: 'CANCELLED', message: 'The batch was cancelled before this request ran.' },
  BATCH_STATE_EXPIRED: { status: 'DEADLINE_EXCEEDED', message: "The batch's completion window ended before this request ran." },
};
const MISSING = { status: 'INTERNAL' as const, message: 'The request produced no result.' };

/** The error of a request that did not run, for a batch ending in `finalState`. */
export function unrunStatus(batch: BatchRecord, finalState: BatchRecord['state']): RpcStatus {
  const unrun = finalState === 'BATCH_STATE_FAILED' && batch.error
    ? { status: (batch.error.status ?? 'INTERNAL') as RpcStatusName, message: batch.error.message }
    : UNRUN[finalState] ?? MISSING;
  return rpcStatus(unrun.status, unrun.message);
}

/** Keys and metadata of a shard's requests, by position in the shard. */
export async function readIdentities(batch: BatchRecord, shard: ShardRecord, blobs: BlobStore): Promise<RequestIdentity[]> {
  const identities: RequestIdentity[] = [];
  const input = await blobs.read(batch.inputBlobKey, { start: shard.byteStart, end: shard.byteEnd - 1 });
  for await (const line of readLines(input)) {
    if (isBlank(line.bytes)) continue;
    try {
      const parsed = parseBatchLine(line.bytes.toString('utf8'), batch.kind);
      identities.push({ key: parsed.key, metadata: parsed.metadata });
    } catch {
      identities.push({});
    }
  }
  return identities;
}

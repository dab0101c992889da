/**
 * Storing a new batch under the tenant's batch quotas (core/quota.ts), for both creates (native
 * and OpenAI-compatible): the concurrent-batch and enqueued-token checks run against the usage
 * the store reads in the transaction that inserts the batch and its shards (serialised per
 * tenant), so two creates racing cannot both pass. A refused batch leaves nothing: no record,
 * no shards, and its input copy is deleted. A batch that is terminal from the start (an OpenAI
 * batch whose input failed validation) holds no work and is not checked.
 */
import { isTerminal, type BatchRecord, type ShardRecord } from '../core/batch.js';
import { batchPrefix } from '../core/blob-keys.js';
import { checkBatchAdmission, type Admission, type TenantLimits } from '../core/quota.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';

export async function createAdmitted(
  deps: { store: Store; blobs: BlobStore },
  batch: BatchRecord,
  shards: readonly ShardRecord[],
  limits: TenantLimits,
): Promise<{ created: boolean; batch: BatchRecord }> {
  const demand = { model: batch.model, requestCount: batch.requestCount, estimatedTokens: batch.estimatedTokens ?? 0 };
  const checked = limits.activeBatches !== undefined || limits.enqueuedTokensPerModel !== undefined;
  const admit: Admission | undefined = checked && !isTerminal(batch.state)
    ? (usage) => checkBatchAdmission(batch.tenantId, limits, usage, demand)
    : undefined;
  try {
    return await deps.store.batches.create(batch, shards, admit);
  } catch (error) {
    await deps.blobs.deletePrefix(batchPrefix(batch.id));
    throw error;
  }
}

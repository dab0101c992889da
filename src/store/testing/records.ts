/** Records for the store contract suites: a file, a batch and its shards, each overridable. */
import type { BatchRecord, ShardRecord } from '../../core/batch.js';
import type { FileRecord } from '../../core/file.js';

export function makeFile(overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    id: 'f1', tenantId: 't1', displayName: 'input', mimeType: 'application/jsonl', sizeBytes: 10,
    sha256Hex: 'ab'.repeat(32), state: 'ACTIVE', source: 'UPLOADED', blobKey: 'files/t1/f1',
    createTimeMs: 1_000, updateTimeMs: 1_000, expirationTimeMs: 50_000, ...overrides,
  };
}

/** A PENDING file batch `b1` of tenant `t1` with two requests. */
export function makeBatch(overrides: Partial<BatchRecord> = {}): BatchRecord {
  return {
    id: 'b1', tenantId: 't1', kind: 'generate', model: 'gemini-2.5-flash', displayName: '', state: 'BATCH_STATE_PENDING',
    priority: 0, inputKind: 'file', inputFileId: 'f1', inputBlobKey: 'batches/b1/input.jsonl', requestCount: 2,
    succeededCount: 0, failedCount: 0, resultsBlobKey: undefined, outputFileId: undefined, webhookConfig: undefined,
    error: undefined, createTimeMs: 1_000, updateTimeMs: 1_000, startTimeMs: undefined, endTimeMs: undefined,
    deadlineMs: 100_000, idempotencyKey: undefined, requestHash: undefined, usage: undefined, ...overrides,
  };
}

/** `count` pending shards of `requestsPerShard` requests each, in input order. */
export function makeShards(batchId: string, count: number, requestsPerShard = 1): ShardRecord[] {
  const bytesPerShard = requestsPerShard === 1 ? 10 : 100;
  return Array.from({ length: count }, (_, index) => ({
    batchId, index, firstRequest: index * requestsPerShard, requestCount: requestsPerShard,
    byteStart: index * bytesPerShard, byteEnd: index * bytesPerShard + bytesPerShard,
    state: 'pending' as const, succeededCount: 0, failedCount: 0,
  }));
}

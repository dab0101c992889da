/**
 * Test helper for the webhooks module: a manual clock, and a finished batch whose terminal event
 * lands in the outbox the way production queues it (`recordResults`), through the Store port.
 */
import type { BatchRecord } from '../../core/batch.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/store.js';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(startMs = 1_700_000_000_000): ManualClock {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

/** Creates batch `id` of `tenantId` with `webhookConfig` and records its results (SUCCEEDED), queuing its `batch.succeeded` event. */
export async function finishBatch(store: Store, clock: Clock, id: string, tenantId: string, webhookConfig?: unknown): Promise<void> {
  const now = clock.now();
  const batch: BatchRecord = {
    id, tenantId, kind: 'generate', model: 'gemini-2.5-flash', displayName: id, state: 'BATCH_STATE_PENDING', priority: 0,
    inputKind: 'inline', inputFileId: undefined, inputBlobKey: `batches/${id}/input.jsonl`, requestCount: 1, succeededCount: 0,
    failedCount: 0, resultsBlobKey: undefined, outputFileId: undefined, webhookConfig, error: undefined, createTimeMs: now,
    updateTimeMs: now, startTimeMs: undefined, endTimeMs: undefined, deadlineMs: now + 3_600_000, idempotencyKey: undefined,
    requestHash: undefined, usage: undefined,
  };
  await store.batches.create(batch, [{
    batchId: id, index: 0, firstRequest: 0, requestCount: 1, byteStart: 0, byteEnd: 10, state: 'pending', succeededCount: 0, failedCount: 0,
  }]);
  if (!(await store.batches.recordResults(id, now, { resultsBlobKey: `batches/${id}/results.jsonl`, succeededCount: 1 }, []))) {
    throw new Error(`batch ${id} already had results`);
  }
}

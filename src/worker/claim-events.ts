/**
 * What a shard claim tells whoever watches the engine (metrics, the operator's log): the claim
 * itself (a takeover when another holder's lease had lapsed) and, for a batch's first claim,
 * that the batch started, with how long it waited in the queue.
 */
import type { EngineEvents } from '../core/engine-events.js';
import type { ClaimedShard } from '../store/store.js';

export function reportClaim(events: Pick<EngineEvents, 'shardClaimed' | 'batchStarted'>, { batch, shard, takeover, startedBatch }: ClaimedShard, nowMs: number): void {
  events.shardClaimed({ batchId: batch.id, model: batch.model, shardIndex: shard.index, takeover });
  if (startedBatch) {
    events.batchStarted({ tenantId: batch.tenantId, batchId: batch.id, model: batch.model, queuedMs: Math.max(0, nowMs - batch.createTimeMs) });
  }
}

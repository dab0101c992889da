/**
 * What a new batch tells whoever watches the engine (metrics, the operator's log): that it was
 * created (never for an idempotent replay, which creates nothing) and, for a batch created
 * terminal (an OpenAI batch whose input failed validation: FAILED, no requests), that it also
 * finished, so every batch created is one batch finished.
 */
import { isTerminal, type BatchRecord } from '../core/batch.js';
import type { BatchSurface, EngineEvents } from '../core/engine-events.js';

export function reportCreated(events: Pick<EngineEvents, 'batchCreated' | 'batchFinished'> | undefined, batch: BatchRecord, surface: BatchSurface): void {
  if (!events) return;
  const { tenantId, id: batchId, model } = batch;
  events.batchCreated({ tenantId, batchId, model, kind: batch.kind, surface, requestCount: batch.requestCount, priority: batch.priority, state: batch.state });
  if (isTerminal(batch.state)) {
    events.batchFinished({
      tenantId, batchId, model, state: batch.state, requestCount: batch.requestCount, succeeded: 0, failed: 0,
      usage: undefined, durationMs: 0, finalizeMs: 0,
    });
  }
}

/**
 * Batch lifecycle metrics, from the engine's batch events: batches created, started (with the
 * time they queued), asked to stop, and finished (by final state, with their duration, the time
 * finalizing took, their requests by result and their tokens).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineEventListener } from '../../core/engine-events.js';
import type { BoundedLabel } from './bounded-label.js';

/** Batches take seconds to days. */
const BATCH_SECONDS_BUCKETS = [1, 5, 15, 60, 300, 900, 3_600, 4 * 3_600, 12 * 3_600, 24 * 3_600, 48 * 3_600];
/** Finalizing reads every shard log and writes the results: milliseconds to minutes. */
const FINALIZE_SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** `BATCH_STATE_SUCCEEDED` → `SUCCEEDED`. */
const stateLabel = (state: string): string => state.replace(/^BATCH_STATE_/, '');

export function registerBatchMetrics(registry: Registry, modelLabel: BoundedLabel): EngineEventListener {
  const registers = [registry];
  const created = new Counter({
    name: 'batchmode_batches_created_total', help: 'Batches created, by model and API surface (native or openai).',
    labelNames: ['model', 'surface'] as const, registers,
  });
  const queued = new Histogram({
    name: 'batchmode_batch_queue_seconds', help: 'Time from a batch being created to its first shard being claimed (its count is the batches started), by model.',
    labelNames: ['model'] as const, buckets: BATCH_SECONDS_BUCKETS, registers,
  });
  const stopRequests = new Counter({
    name: 'batchmode_batch_stop_requests_total', help: 'Stop requests recorded on running or pending batches, by model and the state they lead to (CANCELLED, EXPIRED, FAILED).',
    labelNames: ['model', 'state'] as const, registers,
  });
  const finished = new Counter({
    name: 'batchmode_batches_finished_total', help: 'Batches that reached a terminal state, by model and state.',
    labelNames: ['model', 'state'] as const, registers,
  });
  const duration = new Histogram({
    name: 'batchmode_batch_duration_seconds', help: 'Time from a batch being created to its terminal state, by model.',
    labelNames: ['model'] as const, buckets: BATCH_SECONDS_BUCKETS, registers,
  });
  const finalize = new Histogram({
    name: 'batchmode_batch_finalize_duration_seconds', help: "Time spent writing a finished batch's results (merging its shard logs).",
    buckets: FINALIZE_SECONDS_BUCKETS, registers,
  });
  const requests = new Counter({
    name: 'batchmode_batch_requests_total', help: 'Requests of finished batches, by model and result (succeeded, failed: an error line).',
    labelNames: ['model', 'result'] as const, registers,
  });
  const tokens = new Counter({
    name: 'batchmode_batch_tokens_total', help: 'Tokens used by finished batches, by model and kind (prompt, candidates, thoughts, cached).',
    labelNames: ['model', 'kind'] as const, registers,
  });
  return {
    batchCreated({ model, surface }) {
      created.inc({ model: modelLabel(model), surface });
    },
    batchStarted({ model, queuedMs }) {
      queued.observe({ model: modelLabel(model) }, queuedMs / 1000);
    },
    batchStopRequested({ model, stopState }) {
      stopRequests.inc({ model: modelLabel(model), state: stateLabel(stopState) });
    },
    batchFinished({ model: name, state, succeeded, failed, usage, durationMs, finalizeMs }) {
      const model = modelLabel(name);
      finished.inc({ model, state: stateLabel(state) });
      duration.observe({ model }, durationMs / 1000);
      finalize.observe(finalizeMs / 1000);
      requests.inc({ model, result: 'succeeded' }, succeeded);
      requests.inc({ model, result: 'failed' }, failed);
      if (usage) {
        tokens.inc({ model, kind: 'prompt' }, usage.promptTokenCount);
        tokens.inc({ model, kind: 'candidates' }, usage.candidatesTokenCount);
        tokens.inc({ model, kind: 'thoughts' }, usage.thoughtsTokenCount);
        tokens.inc({ model, kind: 'cached' }, usage.cachedContentTokenCount);
      }
    },
  };
}

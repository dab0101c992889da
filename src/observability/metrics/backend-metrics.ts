/**
 * Backend call metrics, from the `backendCall` event the workers emit once per try: calls by
 * model and outcome (ok, retryable: retried after a wait, failed: the request's final error)
 * with a latency histogram, retries by model and google.rpc status, and the waits before them
 * by where they came from (the backend's Retry-After, or the retry policy's back-off). The
 * per-call latency goes to a CallHistogram (call-histogram.ts: no label hashing per call), and
 * the calls counter is its counts, read at scrape time.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineEventListener } from '../../core/engine-events.js';
import type { BoundedLabel } from './bounded-label.js';
import { CallHistogram } from './call-histogram.js';

const CALL_SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Model names whose label is remembered (names past it are looked up each time). */
const MAX_CACHED_NAMES = 1000;
const WAIT_SECONDS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function registerBackendMetrics(registry: Registry, modelLabel: BoundedLabel): EngineEventListener {
  const registers = [registry];
  // Every call is timed: the calls counter is read from the latency histogram's counts at scrape time.
  const latency = new CallHistogram({
    name: 'batchmode_backend_call_duration_seconds', help: 'Latency of one backend call (a try), by model and outcome.',
    labelNames: ['model', 'outcome'], buckets: CALL_SECONDS_BUCKETS, registers,
  });
  new Counter({
    name: 'batchmode_backend_calls_total', help: 'Backend calls (each try of a request), by model and outcome: ok, retryable (tried again) or failed (final).',
    labelNames: ['model', 'outcome'] as const, registers,
    collect() {
      this.reset();
      for (const { labels, count } of latency.counts()) this.inc(labels, count);
    },
  });
  const retries = new Counter({
    name: 'batchmode_backend_retries_total', help: 'Backend calls retried, by model and the google.rpc status of the failure (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED…).',
    labelNames: ['model', 'status'] as const, registers,
  });
  const waits = new Histogram({
    name: 'batchmode_backend_retry_wait_seconds', help: "Wait before a retry, by model and source: retry_after (the backend's Retry-After set it) or backoff.",
    labelNames: ['model', 'source'] as const, buckets: WAIT_SECONDS_BUCKETS, registers,
  });
  // A model name keeps the label it got first (a bounded label never changes its mind).
  const labels = new Map<string, string>();
  const labelOf = (name: string): string => {
    let label = labels.get(name);
    if (label === undefined) {
      label = modelLabel(name);
      if (labels.size < MAX_CACHED_NAMES) labels.set(name, label);
    }
    return label;
  };
  return {
    backendCall({ model: name, outcome, status, latencyMs, retryInMs, retryAfter }) {
      const model = labelOf(name);
      latency.observe(model, outcome, latencyMs / 1000);
      if (outcome !== 'retryable') return;
      retries.inc({ model, status: status ?? 'UNKNOWN' });
      if (retryInMs !== undefined) waits.observe({ model, source: retryAfter ? 'retry_after' : 'backoff' }, retryInMs / 1000);
    },
  };
}

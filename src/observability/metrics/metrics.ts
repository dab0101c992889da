/**
 * One process's Prometheus metrics: its own prom-client Registry (never the global one, so a
 * test can build several), the listener that turns engine events into counters and histograms,
 * the collectors read at scrape time (store, workers, process), and the scrape itself in the
 * Prometheus text format. server/ builds one per process and hands `listener` to the engine's
 * event fan-out; the `/metrics` routes call `scrape`.
 *
 * Every metric is named `batchmode_…` except prom-client's standard process and Node.js ones
 * (`process_…`, `nodejs_…`). Label values are bounded: model names and route names of the
 * configuration, route templates, states, outcomes; never ids, keys or paths.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createEventFanOut, type EngineEvents } from '../../core/engine-events.js';
import { VERSION } from '../../core/version.js';
import { registerBackendMetrics } from './backend-metrics.js';
import { registerBatchMetrics } from './batch-metrics.js';
import { createBoundedLabel } from './bounded-label.js';
import { registerHttpMetrics } from './http-metrics.js';
import { registerShardMetrics } from './shard-metrics.js';
import { registerStoreCollectors, type StoreMetricsSource } from './store-collectors.js';
import { registerUploadMetrics } from './upload-metrics.js';
import { registerWorkerCollectors, type WorkerMetricsSource } from './worker-collectors.js';

/** Distinct model names (and route templates) kept as label values; later ones show as `_other`. */
export const MAX_LABEL_VALUES = 100;

export interface MetricsSources {
  /** The store's counts and pool, read at scrape time. */
  store: StoreMetricsSource;
  /** prom-client's process and Node.js metrics (default true; off in tests that build many registries). */
  processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** Give this to the engine's event fan-out. */
  readonly listener: EngineEvents;
  /** Adds the gauges of this process's workers (their limiters and slots), once they exist. */
  readonly watchWorkers: (source: WorkerMetricsSource) => void;
  /** The metrics now, in the Prometheus text format. */
  readonly scrape: () => Promise<{ contentType: string; body: string }>;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const modelLabel = createBoundedLabel(MAX_LABEL_VALUES);
  const routeLabel = createBoundedLabel(MAX_LABEL_VALUES);
  const listener = createEventFanOut([
    registerHttpMetrics(registry, routeLabel),
    registerBatchMetrics(registry, modelLabel),
    registerBackendMetrics(registry, modelLabel),
    registerShardMetrics(registry, modelLabel),
    registerUploadMetrics(registry),
  ]);
  registerStoreCollectors(registry, modelLabel, sources.store);
  new Gauge({
    name: 'batchmode_build_info', help: 'Always 1; the version of batchmode this process runs.',
    labelNames: ['version'] as const, registers: [registry],
  }).set({ version: VERSION }, 1);
  if (sources.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    listener,
    watchWorkers: (source) => registerWorkerCollectors(registry, source),
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

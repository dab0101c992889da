/**
 * This process's watchers of the engine, built once per process by `serve` and `worker`: its
 * Prometheus metrics (observability/metrics/) and the operator's lifecycle log
 * (observability/lifecycle-log.ts), fanned out as the one `EngineEvents` the engine, the file
 * services and the HTTP front report to. A listener that throws is logged, never felt by the engine.
 */
import { createEventFanOut, type EngineEvents } from '../core/engine-events.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { createLifecycleLog } from '../observability/lifecycle-log.js';
import { createMetrics, type Metrics } from '../observability/metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { Engine } from './create-engine.js';

export interface EngineObservers {
  metrics: Metrics;
  /** Give this to the engine, the file services and the app. */
  events: EngineEvents;
  /** Adds the gauges of this process's workers (call once the engine exists, where it runs workers). */
  watchWorkers(engine: Engine): void;
  /** Writes what the lifecycle log still holds (suppressed-line counts) and stops its timer. */
  close(): void;
}

export function observeEngine(store: Store, logger: Logger): EngineObservers {
  const metrics = createMetrics({
    store: { store, clock: systemClock, onError: (error) => logger.warn('a metrics query of the store failed', { error }) },
  });
  const lifecycle = createLifecycleLog(logger);
  const events = createEventFanOut([metrics.listener, lifecycle], (error) => logger.warn('an engine event listener failed', { error }));
  return {
    metrics,
    events,
    watchWorkers(engine) {
      metrics.watchWorkers({ limiterSnapshots: () => engine.pool.limiterSnapshots(), slots: engine.pool.slots, clock: systemClock });
    },
    close: () => lifecycle.close(),
  };
}

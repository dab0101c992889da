/**
 * Metrics of this process's workers, read at scrape time: each model route's limiter (its
 * adaptive concurrency limit, calls in flight and waiting, whether a rate limit or Retry-After
 * pause holds it) and the worker's own concurrency slots. Registered only where workers run.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../lib/clock.js';

/** What a model limiter reports (worker/model-limiter.ts's snapshot, structurally). */
export interface LimiterSnapshot {
  concurrencyLimit: number;
  inFlight: number;
  waiting: number;
  /** Set while starts wait on rate budget or a Retry-After pause: epoch ms when they resume. */
  rateLimitedUntilMs?: number;
}

export interface WorkerMetricsSource {
  /** Each model route's limiter state now (worker-pool.ts). */
  limiterSnapshots(): { route: string; limiter: LimiterSnapshot }[];
  /** The worker's concurrency slots (the pool's semaphore). */
  slots: { readonly inUse: number; readonly capacity: number };
  clock: Clock;
}

export function registerWorkerCollectors(registry: Registry, source: WorkerMetricsSource): void {
  const registers = [registry];
  const perRoute = (name: string, help: string, read: (limiter: LimiterSnapshot, nowMs: number) => number): void => {
    new Gauge({
      name, help, labelNames: ['route'] as const, registers,
      collect() {
        const nowMs = source.clock.now();
        for (const { route, limiter } of source.limiterSnapshots()) this.set({ route }, read(limiter, nowMs));
      },
    });
  };
  perRoute('batchmode_model_concurrency_limit', "A model route's current concurrency limit (adaptive: halved when the backend throttles, raised again on success).", (limiter) => limiter.concurrencyLimit);
  perRoute('batchmode_model_in_flight', "Backend calls in flight through a model route's limiter.", (limiter) => limiter.inFlight);
  perRoute('batchmode_model_waiting', "Backend calls waiting in a model route's limiter (for a slot, rate budget or a Retry-After pause).", (limiter) => limiter.waiting);
  perRoute('batchmode_model_rate_limited', "1 while a model route's starts wait for requests/tokens-per-minute budget or a Retry-After pause, else 0.", (limiter, nowMs) => ((limiter.rateLimitedUntilMs ?? 0) > nowMs ? 1 : 0));
  new Gauge({
    name: 'batchmode_worker_requests_in_flight', help: "Requests this process's workers are running (concurrency slots in use).", registers,
    collect() { this.set(source.slots.inUse); },
  });
  new Gauge({
    name: 'batchmode_worker_concurrency', help: "Requests this process's workers run at once at most (--worker-concurrency).", registers,
    collect() { this.set(source.slots.capacity); },
  });
}

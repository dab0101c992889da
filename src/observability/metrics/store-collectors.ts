/**
 * Metrics read from the store at scrape time: batches by state and the unfinished requests of
 * runnable batches per model (pending, running), all tenants; and, when the store has one, the
 * PostgreSQL connection pool's use. Every API process of a deployment reads the same database,
 * so these are the same from each: aggregate them with max(), not sum().
 *
 * One scrape costs two counting queries (BatchRepository.countByState, openRequestsByModel),
 * run together once and shared by the gauges that show them; a query that fails leaves its
 * gauges as they were and counts `batchmode_metrics_store_errors_total` (in the same scrape),
 * so a database outage never fails the scrape.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { BATCH_STATES } from '../../core/batch.js';
import type { Clock } from '../../lib/clock.js';
import type { ConnectionPoolStats, ModelRequestCounts, Store } from '../../store/store.js';
import type { BoundedLabel } from './bounded-label.js';

export interface StoreMetricsSource {
  store: Pick<Store, 'batches' | 'connectionPool'>;
  clock: Clock;
  /** Told of a failed query (the scrape itself still answers). */
  onError?: (error: unknown) => void;
}

/** Answers reused by every gauge of one scrape (and by scrapes closer together than this). */
const REUSE_MS = 1_000;

export function registerStoreCollectors(registry: Registry, modelLabel: BoundedLabel, source: StoreMetricsSource): void {
  const registers = [registry];
  const { store, clock } = source;
  let failed = 0;
  const guarded = async <T>(query: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await query();
    } catch (error) {
      failed++;
      source.onError?.(error);
      return undefined;
    }
  };
  const pool = store.connectionPool?.bind(store);
  const read = reusedFor(REUSE_MS, clock, async () => {
    // The pool first: once this scrape's own queries are queued, they would show as waiting.
    const connections = pool?.();
    const [states, open] = await Promise.all([guarded(() => store.batches.countByState()), guarded(() => store.batches.openRequestsByModel(clock.now()))]);
    return { states, open, connections };
  });
  const errors = new Counter({
    name: 'batchmode_metrics_store_errors_total', help: 'Store queries of a metrics scrape that failed (the gauges they feed kept their last values).', registers,
    // Waits for this scrape's queries, so that their failures count in it.
    async collect() {
      await read();
      if (failed > 0) this.inc(failed);
      failed = 0;
    },
  });
  errors.inc(0);

  new Gauge({
    name: 'batchmode_batches', help: 'Batches in each state, all tenants (a batch being cancelled keeps its state until its results are written).',
    labelNames: ['state'] as const, registers,
    async collect() {
      const counts = (await read()).states;
      if (!counts) return;
      for (const state of BATCH_STATES) this.set({ state: state.replace(/^BATCH_STATE_/, '') }, counts.get(state) ?? 0);
    },
  });

  /** Models shown so far: one that has no open request any more shows 0, not nothing. */
  const models = new Set<string>();
  const byModel = (pick: (counts: ModelRequestCounts) => number) =>
    async function collect(this: Gauge<'model'>): Promise<void> {
      const rows = (await read()).open;
      if (!rows) return;
      const values = new Map<string, number>([...models].map((model) => [model, 0]));
      for (const row of rows) {
        const model = modelLabel(row.model);
        models.add(model);
        values.set(model, (values.get(model) ?? 0) + pick(row));
      }
      for (const [model, value] of values) this.set({ model }, value);
    };
  new Gauge({
    name: 'batchmode_requests_pending', help: 'Requests of runnable batches without a result, in shards no worker holds, by model.',
    labelNames: ['model'] as const, registers, collect: byModel((row) => row.pending),
  });
  new Gauge({
    name: 'batchmode_requests_running', help: 'Requests of runnable batches without a result, in shards a worker holds, by model.',
    labelNames: ['model'] as const, registers, collect: byModel((row) => row.running),
  });

  if (!pool) return;
  const poolGauge = (name: string, help: string, pick: (stats: ConnectionPoolStats) => number): void => {
    new Gauge({
      name, help, registers,
      async collect() {
        const { connections } = await read();
        if (connections) this.set(pick(connections));
      },
    });
  };
  poolGauge('batchmode_pg_pool_connections', 'PostgreSQL connections open in this process (idle or in use).', (stats) => stats.total);
  poolGauge('batchmode_pg_pool_idle_connections', 'PostgreSQL connections open and idle.', (stats) => stats.idle);
  poolGauge('batchmode_pg_pool_waiting_queries', 'Queries waiting for a PostgreSQL connection (the pool is exhausted while this is above 0).', (stats) => stats.waiting);
  poolGauge('batchmode_pg_pool_max_connections', 'The most PostgreSQL connections this process opens.', (stats) => stats.max);
}

/** `load`, called at most once per `ms`: calls within that time share its promise. */
function reusedFor<T>(ms: number, clock: Clock, load: () => Promise<T>): () => Promise<T> {
  let last: { atMs: number; value: Promise<T> } | undefined;
  return () => {
    const now = clock.now();
    if (!last || now - last.atMs >= ms) last = { atMs: now, value: load() };
    return last.value;
  };
}

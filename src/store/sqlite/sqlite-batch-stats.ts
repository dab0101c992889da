/**
 * The BatchRepository's counting queries on SQLite, for metrics: batches per state (an
 * index-only count on `batches_by_state`) and the unfinished requests of runnable batches per
 * model (only shards not done are read, through `shards_by_state`).
 */
import type { Database } from 'better-sqlite3';
import type { BatchState } from '../../core/batch.js';
import type { BatchRepository } from '../store.js';
import { RUNNABLE_BATCH_SQL } from '../row-mapping.js';

export function createSqliteBatchStats(db: Database): Pick<BatchRepository, 'countByState' | 'openRequestsByModel'> {
  const byState = db.prepare<[], { state: BatchState; n: number }>('SELECT state, COUNT(*) AS n FROM batches GROUP BY state');
  const openByModel = db.prepare<[number, number], { model: string; pending: number; running: number }>(
    `SELECT b.model AS model,
       SUM(CASE WHEN s.state = 'running' AND s.lease_expires_ms >= ? THEN 0 ELSE s.request_count - s.succeeded_count - s.failed_count END) AS pending,
       SUM(CASE WHEN s.state = 'running' AND s.lease_expires_ms >= ? THEN s.request_count - s.succeeded_count - s.failed_count ELSE 0 END) AS running
     FROM shards s JOIN batches b ON b.id = s.batch_id
     WHERE s.state IN ('pending', 'running') AND ${RUNNABLE_BATCH_SQL('b')}
     GROUP BY b.model ORDER BY b.model`,
  );
  return {
    countByState: async () => new Map(byState.all().map((row) => [row.state, row.n])),
    openRequestsByModel: async (nowMs) => openByModel.all(nowMs, nowMs).map((row) => ({ model: row.model, pending: row.pending, running: row.running })),
  };
}

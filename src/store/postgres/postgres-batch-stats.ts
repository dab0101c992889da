/**
 * The BatchRepository's counting queries on PostgreSQL, for metrics: batches per state (an
 * index-only count on `batches_by_state`) and the unfinished requests of runnable batches per
 * model (only shards not done are read, through `shards_by_state`).
 */
import type { Pool } from 'pg';
import type { BatchState } from '../../core/batch.js';
import type { BatchRepository } from '../store.js';
import { RUNNABLE_BATCH_SQL } from '../row-mapping.js';

export function createPostgresBatchStats(pool: Pool): Pick<BatchRepository, 'countByState' | 'openRequestsByModel'> {
  return {
    countByState: async () => {
      const { rows } = await pool.query<{ state: BatchState; n: number }>('SELECT state, COUNT(*) AS n FROM batches GROUP BY state');
      return new Map(rows.map((row) => [row.state, row.n]));
    },
    openRequestsByModel: async (nowMs) => {
      const { rows } = await pool.query<{ model: string; pending: number; running: number }>(
        `SELECT b.model AS model,
           SUM(CASE WHEN s.state = 'running' AND s.lease_expires_ms >= $1 THEN 0 ELSE s.request_count - s.succeeded_count - s.failed_count END)::bigint AS pending,
           SUM(CASE WHEN s.state = 'running' AND s.lease_expires_ms >= $1 THEN s.request_count - s.succeeded_count - s.failed_count ELSE 0 END)::bigint AS running
         FROM shards s JOIN batches b ON b.id = s.batch_id
         WHERE s.state IN ('pending', 'running') AND ${RUNNABLE_BATCH_SQL('b')}
         GROUP BY b.model ORDER BY b.model`,
        [nowMs],
      );
      return rows.map((row) => ({ model: row.model, pending: row.pending, running: row.running }));
    },
  };
}

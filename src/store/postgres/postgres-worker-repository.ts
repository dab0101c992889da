/** WorkerRepository on PostgreSQL: one row per worker process, upserted on every heartbeat. */
import type { Pool } from 'pg';
import type { WorkerRepository } from '../store.js';
import { LEASES_SQL, leaseFromRow, workerFromRow, workerParams, type LeaseRow, type WorkerRow } from '../row-mapping.js';

export function createPostgresWorkerRepository(pool: Pool): WorkerRepository {
  return {
    heartbeat: async (worker) => {
      await pool.query(
        `INSERT INTO workers (id, host, pid, role, version, concurrency, in_flight, started_at_ms, heartbeat_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET in_flight = EXCLUDED.in_flight, concurrency = EXCLUDED.concurrency,
           heartbeat_at_ms = EXCLUDED.heartbeat_at_ms`,
        workerParams(worker),
      );
    },
    remove: async (id) => {
      await pool.query('DELETE FROM workers WHERE id = $1', [id]);
    },
    listAlive: async (sinceMs) =>
      (await pool.query<WorkerRow>('SELECT * FROM workers WHERE heartbeat_at_ms >= $1 ORDER BY id', [sinceMs])).rows.map(workerFromRow),
    prune: async (beforeMs) => (await pool.query('DELETE FROM workers WHERE heartbeat_at_ms < $1', [beforeMs])).rowCount ?? 0,
    listLeases: async (nowMs) => (await pool.query<LeaseRow>(LEASES_SQL('$1'), [nowMs])).rows.map(leaseFromRow),
  };
}

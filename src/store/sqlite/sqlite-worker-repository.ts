/** WorkerRepository on SQLite (the embedded server's own workers, and any sharing its file). */
import type Database from 'better-sqlite3';
import type { WorkerRepository } from '../store.js';
import { LEASES_SQL, leaseFromRow, workerFromRow, workerParams, type LeaseRow, type WorkerRow } from '../row-mapping.js';

export function createSqliteWorkerRepository(db: Database.Database): WorkerRepository {
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO workers (id, host, pid, role, version, concurrency, in_flight, started_at_ms, heartbeat_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const remove = db.prepare('DELETE FROM workers WHERE id = ?');
  const alive = db.prepare<[number], WorkerRow>('SELECT * FROM workers WHERE heartbeat_at_ms >= ? ORDER BY id');
  const prune = db.prepare('DELETE FROM workers WHERE heartbeat_at_ms < ?');
  const leases = db.prepare<[number], LeaseRow>(LEASES_SQL('?'));
  return {
    heartbeat: async (worker) => {
      upsert.run(...workerParams(worker));
    },
    remove: async (id) => {
      remove.run(id);
    },
    listAlive: async (sinceMs) => alive.all(sinceMs).map(workerFromRow),
    prune: async (beforeMs) => prune.run(beforeMs).changes,
    listLeases: async (nowMs) => leases.all(nowMs).map(leaseFromRow),
  };
}

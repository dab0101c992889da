/**
 * Which worker processes are alive and what they hold, from the store's heartbeat rows and
 * shard leases, so it is the same answer from every API process. A tenant sees the shards of
 * its own batches; of other tenants' work it sees only counts.
 */
import type { ShardLease, WorkerRecord } from '../core/worker.js';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import { ALIVE_INTERVALS } from './worker-heartbeat.js';

export interface WorkerView {
  worker: WorkerRecord;
  /** Shards this worker holds, of every tenant. */
  heldShardCount: number;
  /** The held shards of the asking tenant's batches. */
  leases: ShardLease[];
}

export interface WorkerDirectory {
  list(tenantId: string): Promise<WorkerView[]>;
  /** Whether any worker process is alive (to explain a batch that does not move). */
  anyAlive(): Promise<boolean>;
}

export function createWorkerDirectory(deps: { store: Store; clock: Clock; heartbeatIntervalMs: number }): WorkerDirectory {
  const { store, clock } = deps;
  const aliveSince = (): number => clock.now() - ALIVE_INTERVALS * deps.heartbeatIntervalMs;
  return {
    async list(tenantId) {
      const [workers, leases] = await Promise.all([store.workers.listAlive(aliveSince()), store.workers.listLeases(clock.now())]);
      return workers.map((worker) => {
        const held = leases.filter((lease) => lease.owner === worker.id);
        return { worker, heldShardCount: held.length, leases: held.filter((lease) => lease.tenantId === tenantId) };
      });
    },
    async anyAlive() {
      return (await store.workers.listAlive(aliveSince())).length > 0;
    },
  };
}

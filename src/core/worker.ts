/** A batchmode process that runs batch workers, as it last reported itself. */
export interface WorkerRecord {
  /** The owner name its shard leases carry: `<host>:<pid>:<random>`. */
  id: string;
  host: string;
  pid: number;
  /** `serve` (API process with workers) or `worker` (workers only). */
  role: 'serve' | 'worker';
  version: string;
  /** Requests it may have in flight at once. */
  concurrency: number;
  /** Requests in flight at its last heartbeat. */
  inFlight: number;
  startedAtMs: number;
  heartbeatAtMs: number;
}

/** A shard leased to a worker right now. */
export interface ShardLease {
  owner: string;
  batchId: string;
  tenantId: string;
  shardIndex: number;
  requestCount: number;
  succeededCount: number;
  failedCount: number;
  leaseExpiresMs: number;
}

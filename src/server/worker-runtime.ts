/**
 * Part of the composition root: a process's batch workers (the worker pool) with their
 * heartbeat, configured from the settings. `serve` runs one unless `--workers=false`;
 * `batchmode worker` runs only this.
 */
import { hostname } from 'node:os';
import type { BackendRegistry } from '../backends/registry.js';
import type { Config } from '../config/settings.js';
import type { WorkerRecord } from '../core/worker.js';
import { systemClock } from '../lib/clock.js';
import { randomId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { abortableSleep } from '../worker/call-backend.js';
import { DEFAULT_RETRY_POLICY } from '../worker/retry-policy.js';
import { createWorkerHeartbeat } from '../worker/worker-heartbeat.js';
import { createWorkerPool, type WorkerPool } from '../worker/worker-pool.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../core/version.js';

const HOUR_MS = 3_600_000;
const WORKER_POLL_MS = 250;
const PROGRESS_INTERVAL_MS = 500;
/** Shards a worker holds at once: one is read while others finish their last requests. */
const MAX_ACTIVE_SHARDS = 4;

/** How often a worker writes its heartbeat row: a third of the lease, at most every 5 s. */
export const heartbeatIntervalMs = (config: Config): number => Math.min(5_000, Math.max(100, (config.leaseSeconds * 1000) / 3));

export interface WorkerRuntime {
  pool: WorkerPool;
  /** This worker's id, as its shard leases name it. */
  id: string;
  start(): Promise<void>;
  /** Drains for up to `graceMs`, gives every shard back, removes the heartbeat row. */
  stop(graceMs: number): Promise<void>;
}

export function createWorkerRuntime(input: {
  config: Config;
  store: Store;
  blobs: BlobStore;
  registry: BackendRegistry;
  logger: Logger;
  role: WorkerRecord['role'];
}): WorkerRuntime {
  const { config, store, blobs, registry, logger } = input;
  const id = `${hostname()}:${process.pid}:${randomId(6)}`;
  const startedAtMs = systemClock.now();
  const pool = createWorkerPool({
    store, blobs, registry, clock: systemClock, logger,
    owner: id,
    leaseMs: config.leaseSeconds * 1000,
    progressIntervalMs: PROGRESS_INTERVAL_MS,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.maxAttempts },
    sleep: abortableSleep,
    fileRetentionMs: config.fileRetentionHours * HOUR_MS,
    concurrency: config.workerConcurrency,
    maxActiveShards: MAX_ACTIVE_SHARDS,
    pollMs: WORKER_POLL_MS,
  });
  const heartbeat = createWorkerHeartbeat({
    store, clock: systemClock, logger, intervalMs: heartbeatIntervalMs(config),
    describe: () => ({
      id, host: hostname(), pid: process.pid, role: input.role, version: VERSION,
      concurrency: config.workerConcurrency, inFlight: pool.slots.inUse, startedAtMs,
    }),
  });
  return {
    pool,
    id,
    async start() {
      await heartbeat.start();
      pool.start();
    },
    async stop(graceMs) {
      await pool.stop(graceMs);
      await heartbeat.stop();
    },
  };
}

/**
 * The batch engine, wired in one place for `serve`, `worker` and the tests: this process's
 * worker pool with its heartbeat row, the directory of live workers, the batch submitters (native
 * and OpenAI-compatible), and the batch service (with the registry's pricing for cost estimates
 * and the heartbeat rows for "no worker is alive"), all reporting to one `EngineEvents`. Clock, ids and sleep are injected; nothing here reads the settings
 * (configure-engine.ts maps them).
 */
import { hostname } from 'node:os';
import type { BackendRegistry } from '../backends/registry.js';
import type { QuotaConfig } from '../core/quota.js';
import { createBatchService, createBatchSubmitter, createOpenAIBatchSubmitter, type BatchService } from '../batches/index.js';
import { NO_EVENTS, type EngineEvents } from '../core/engine-events.js';
import { VERSION } from '../core/version.js';
import type { WorkerRecord } from '../core/worker.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import type { RetryPolicy } from '../worker/retry-policy.js';
import { createWorkerDirectory, type WorkerDirectory } from '../worker/worker-directory.js';
import { createWorkerHeartbeat } from '../worker/worker-heartbeat.js';
import { createWorkerPool, type WorkerPool } from '../worker/worker-pool.js';
import { createWebhookDispatcher, type DestinationPolicy, type WebhookDispatcher } from '../webhooks/index.js';

/** How the engine runs; the settings fill these in (configure-engine.ts), tests pick their own. */
export interface EngineSettings {
  /** Requests in flight at once across this process's shards. */
  concurrency: number;
  /** Shards held at once (one is read while others finish their last requests). */
  maxActiveShards: number;
  /** How often an idle worker looks for work and sweeps for batches to expire or finalize. */
  pollMs: number;
  leaseMs: number;
  /** How often a running shard saves its counts (and notices its batch was stopped). */
  progressIntervalMs: number;
  retry: RetryPolicy;
  /** Requests per shard of a new batch. */
  shardSize: number;
  /** Requests a shard reads ahead and dispatches grouped by prompt prefix; default 0 (file order). */
  prefixWindow?: number;
  /** Default completion window of a new batch; past it the batch expires. */
  completionWindowMs: number;
  /** How long a batch's results file is kept. */
  fileRetentionMs: number;
  webhooks: WebhookDeliverySettings;
  /** Per-tenant batch quotas checked at create (core/quota.ts); default none. */
  quotas?: QuotaConfig;
}

/** How this process delivers webhook events (every process does; the store hands out each delivery once). */
export interface WebhookDeliverySettings {
  /** How often the outbox and due retries are looked at. */
  pollMs: number;
  /** A receiver's time to connect and answer one delivery. */
  timeoutMs: number;
  /** How long a delivery is retried before it fails (and its webhook is disabled). */
  retryWindowMs: number;
  destinationPolicy: DestinationPolicy;
}

export interface EngineDeps {
  store: Store;
  blobs: BlobStore;
  registry: BackendRegistry;
  clock: Clock;
  logger: Logger;
  randomId: IdGenerator;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** This process's worker id, as its shard leases and heartbeat row name it. */
  workerId: string;
  /** What this process is, for its heartbeat row. */
  role: WorkerRecord['role'];
  /** Whether this process runs workers: their limiter and failure state then show in progress views. */
  runsWorkers: boolean;
  settings: EngineSettings;
  /** Where the engine reports what happens (metrics, the operator's log); default nowhere. */
  events?: EngineEvents;
  /** This process's other workers (worker threads, worker-threads.ts): told of new and stopped batches too. */
  peers?: PeerWorkers;
}

/** Workers beside this engine's own pool in the same process. */
export interface PeerWorkers {
  wake(): void;
  abortBatch(batchId: string): void;
}

export interface Engine {
  readonly workerId: string;
  readonly pool: WorkerPool;
  readonly batches: BatchService;
  readonly directory: WorkerDirectory;
  /** Sends webhook events: fans out the outbox, delivers and retries. */
  readonly webhooks: WebhookDispatcher;
  /** Starts this process's workers: the heartbeat row first, then the claim loop. */
  startWorkers(): Promise<void>;
  /** Drains for up to `graceMs`, gives every shard back, removes the heartbeat row. */
  stopWorkers(graceMs?: number): Promise<void>;
}

/** How often a worker writes its heartbeat row: a third of the lease, at most every 5 s. */
export const heartbeatIntervalMs = (leaseMs: number): number => Math.min(5_000, Math.max(100, leaseMs / 3));

export function createEngine(deps: EngineDeps): Engine {
  const { store, blobs, registry, clock, logger, settings } = deps;
  const events = deps.events ?? NO_EVENTS;
  const startedAtMs = clock.now();
  const intervalMs = heartbeatIntervalMs(settings.leaseMs);
  const pool = createWorkerPool({
    store, blobs, registry, clock, logger, owner: deps.workerId, sleep: deps.sleep,
    leaseMs: settings.leaseMs, progressIntervalMs: settings.progressIntervalMs, retry: settings.retry,
    fileRetentionMs: settings.fileRetentionMs, concurrency: settings.concurrency,
    maxActiveShards: settings.maxActiveShards, pollMs: settings.pollMs, events, prefixWindow: settings.prefixWindow ?? 0,
  });
  const heartbeat = createWorkerHeartbeat({
    store, clock, logger, intervalMs,
    describe: () => ({
      id: deps.workerId, host: hostname(), pid: process.pid, role: deps.role, version: VERSION,
      concurrency: settings.concurrency, inFlight: pool.slots.inUse, startedAtMs,
    }),
  });
  const webhooks = createWebhookDispatcher({
    store, clock, logger, owner: deps.workerId, sleep: deps.sleep, settings: settings.webhooks,
  });
  const directory = createWorkerDirectory({ store, clock, heartbeatIntervalMs: intervalMs });
  const submitDeps = {
    store, blobs, registry, clock, randomId: deps.randomId,
    shardSize: settings.shardSize, completionWindowMs: settings.completionWindowMs, events,
    ...(settings.quotas ? { quotas: settings.quotas } : {}),
  };
  const submit = createBatchSubmitter(submitDeps);
  const submitOpenAI = createOpenAIBatchSubmitter(submitDeps);
  const { peers } = deps;
  const notify = peers
    ? {
      wake: () => {
        pool.wake();
        peers.wake();
      },
      abortBatch: (batchId: string) => {
        pool.abortBatch(batchId);
        peers.abortBatch(batchId);
      },
      finalize: (batchId: string) => pool.finalize(batchId),
    }
    : pool;
  const batches = createBatchService({
    store, blobs, clock, logger, submit, submitOpenAI, notify, sleep: deps.sleep, events,
    pricingOf: (model) => registry.resolve(model)?.pricing,
    anyWorkerAlive: () => directory.anyAlive(),
    ...(deps.runsWorkers ? { workers: pool.status } : {}),
  });
  return {
    workerId: deps.workerId,
    pool,
    batches,
    directory,
    webhooks,
    async startWorkers() {
      await heartbeat.start();
      pool.start();
    },
    async stopWorkers(graceMs) {
      await pool.stop(graceMs);
      await heartbeat.stop();
    },
  };
}

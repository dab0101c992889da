/**
 * The engine as the settings configure it, for `serve` (workers unless `--workers=false`) and
 * `batchmode worker` (workers only): real time, this process's worker id, and the lease,
 * concurrency, retry, shard and retention settings mapped onto create-engine.ts.
 */
import { hostname } from 'node:os';
import type { BackendRegistry } from '../backends/registry.js';
import type { Config } from '../config/settings.js';
import type { EngineEvents } from '../core/engine-events.js';
import type { WorkerRecord } from '../core/worker.js';
import { systemClock } from '../lib/clock.js';
import { randomId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { abortableSleep } from '../lib/abort.js';
import { DEFAULT_RETRY_POLICY } from '../worker/retry-policy.js';
import { createEngine, type Engine, type PeerWorkers } from './create-engine.js';

const HOUR_MS = 3_600_000;
const WORKER_POLL_MS = 250;
const PROGRESS_INTERVAL_MS = 500;
/** Shards a worker holds at once: one is read while others finish their last requests. */
const MAX_ACTIVE_SHARDS = 4;
/** How often the webhook outbox and due retries are looked at: an event goes out within about this long. */
const WEBHOOK_POLL_MS = 250;

export function configureEngine(input: {
  config: Config;
  store: Store;
  blobs: BlobStore;
  registry: BackendRegistry;
  logger: Logger;
  role: WorkerRecord['role'];
  /** Where the engine reports what happens (observe-engine.ts). */
  events: EngineEvents;
  /** This process's worker threads (worker-threads.ts), if it runs any. */
  peers?: PeerWorkers;
  /** Whether this engine's own pool runs (default: a worker process, or serve unless `--workers=false`). */
  runsWorkers?: boolean;
}): Engine {
  const { config } = input;
  return createEngine({
    store: input.store, blobs: input.blobs, registry: input.registry, logger: input.logger,
    clock: systemClock, randomId, sleep: abortableSleep,
    workerId: `${hostname()}:${process.pid}:${randomId(6)}`,
    role: input.role,
    events: input.events,
    ...(input.peers ? { peers: input.peers } : {}),
    runsWorkers: input.runsWorkers ?? (input.role === 'worker' || config.workers),
    settings: {
      concurrency: config.workerConcurrency,
      maxActiveShards: MAX_ACTIVE_SHARDS,
      pollMs: WORKER_POLL_MS,
      leaseMs: config.leaseSeconds * 1000,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.maxAttempts },
      shardSize: config.shardSize,
      prefixWindow: config.prefixWindow,
      completionWindowMs: config.completionWindowHours * HOUR_MS,
      fileRetentionMs: config.fileRetentionHours * HOUR_MS,
      quotas: config.quotas,
      webhooks: {
        pollMs: WEBHOOK_POLL_MS,
        timeoutMs: config.webhookTimeoutSeconds * 1000,
        retryWindowMs: config.webhookRetryHours * HOUR_MS,
        destinationPolicy: config.webhookDestinations,
      },
    },
  });
}

/**
 * The progress view of a batch: counts (refreshed by the workers at least every second),
 * throughput, an ETA, and for a batch that is not moving, why: waiting behind other batches,
 * its model rate limited, its backend failing, or no worker running.
 */
import { isTerminal, type BatchRecord } from '../core/batch.js';
import type { Clock } from '../lib/clock.js';

/** Why a batch is not moving; STOPPING: cancelled or expired, its results file is being written. */
export type PendingReason = 'QUEUED' | 'RATE_LIMITED' | 'BACKEND_UNAVAILABLE' | 'NO_WORKERS' | 'STOPPING';

/** A model limiter's state, as the workers report it (worker/model-limiter.ts). */
export interface LimiterSnapshot {
  concurrencyLimit: number;
  inFlight: number;
  waiting: number;
  /** Set while waiting on RPM/TPM budget or a Retry-After pause: epoch ms when starts resume. */
  rateLimitedUntilMs?: number;
  /** Throttled releases so far (including those inside a cooldown). */
  throttledCount: number;
}

/** What this process's workers know about a model route. */
export interface ModelStatus {
  limiter?: LimiterSnapshot;
  /** The last retryable backend failure, if recent. */
  lastFailure?: { atMs: number; status: string };
}

export interface WorkerStatus {
  isRunning: boolean;
  model(model: string): ModelStatus | undefined;
}

export interface BatchProgressView {
  batch: BatchRecord;
  succeededCount: number;
  failedCount: number;
  pendingCount: number;
  percentComplete: number;
  /** Requests per second since the batch started (or over the last samples, when polled). */
  throughputPerSecond: number | undefined;
  etaSeconds: number | undefined;
  queuePosition: number;
  pendingReason: PendingReason | undefined;
  model: ModelStatus | undefined;
}

/** A failure this recent explains a stall. */
const RECENT_FAILURE_MS = 30_000;

export function describeProgress(input: {
  batch: BatchRecord;
  succeededCount: number;
  failedCount: number;
  queuePosition: number;
  workers: WorkerStatus | undefined;
  clock: Clock;
  /** Whether any worker process is alive (from the store's heartbeats), if known. */
  workersAlive?: boolean | undefined;
  /** Requests finished per second over a recent window, if known. */
  recentRate: number | undefined;
}): BatchProgressView {
  const { batch, succeededCount, failedCount, queuePosition, workers, clock } = input;
  const now = clock.now();
  const done = succeededCount + failedCount;
  const pendingCount = isTerminal(batch.state) ? 0 : Math.max(0, batch.requestCount - done);
  const elapsedSeconds = batch.startTimeMs === undefined ? 0 : ((batch.endTimeMs ?? now) - batch.startTimeMs) / 1000;
  const averageRate = elapsedSeconds > 0 ? done / elapsedSeconds : undefined;
  const rate = input.recentRate ?? averageRate;
  const model = workers?.model(batch.model);

  let pendingReason: PendingReason | undefined;
  if (!isTerminal(batch.state)) {
    const failure = model?.lastFailure && now - model.lastFailure.atMs < RECENT_FAILURE_MS ? model.lastFailure : undefined;
    const limited = (model?.limiter?.rateLimitedUntilMs ?? 0) > now || failure?.status === 'RESOURCE_EXHAUSTED';
    const noWorkers = input.workersAlive === undefined ? workers !== undefined && !workers.isRunning : !input.workersAlive;
    if (batch.stopState) pendingReason = 'STOPPING';
    else if (noWorkers) pendingReason = 'NO_WORKERS';
    else if (limited) pendingReason = 'RATE_LIMITED';
    else if (failure) pendingReason = 'BACKEND_UNAVAILABLE';
    else if (batch.state === 'BATCH_STATE_PENDING' || queuePosition > 0) pendingReason = 'QUEUED';
  }
  return {
    batch, succeededCount, failedCount, pendingCount, queuePosition, pendingReason, model,
    percentComplete: batch.requestCount === 0 ? 100 : Math.round((done / batch.requestCount) * 1000) / 10,
    throughputPerSecond: rate === undefined ? undefined : Math.round(rate * 10) / 10,
    etaSeconds: pendingCount === 0 ? 0 : rate && rate > 0 ? Math.ceil(pendingCount / rate) : undefined,
  };
}

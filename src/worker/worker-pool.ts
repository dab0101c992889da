/**
 * The worker: claims shards and runs them under one pool of concurrency slots, finalizes
 * batches whose work is over, and expires batches past their completion window. The claim loop
 * takes a new shard as soon as the current ones have handed all their requests to the slots,
 * so the backend never waits on the queue. Any number of workers (in one process or many) may
 * share a store: leases keep them apart.
 */
import type { ResolvedModel } from '../backends/registry.js';
import type { BatchRecord } from '../core/batch.js';
import { createBackOff } from '../lib/back-off.js';
import { Semaphore } from '../lib/semaphore.js';
import type { BackendError } from '../backends/backend.js';
import type { LimiterSnapshot, WorkerStatus } from '../batches/batch-progress.js';
import { NO_EVENTS } from '../core/engine-events.js';
import { reportClaim } from './claim-events.js';
import { createModelLimiter, type ModelLimiter } from './model-limiter.js';
import type { ClaimedShard } from '../store/store.js';
import { finalizeBatch, type FinalizeDeps } from '../batches/finalize-batch.js';
import { runShard, type ShardRunnerDeps } from './run-shard.js';

export interface WorkerPoolOptions extends Omit<ShardRunnerDeps, 'slots' | 'limiterFor' | 'onBackendFailure'>, FinalizeDeps {
  /** Requests in flight at once across all shards of this worker. */
  concurrency: number;
  /** Shards held at once (one is read while others finish their last requests). */
  maxActiveShards: number;
  /** How often to look for work when idle, and to run the finalize/expiry sweep. */
  pollMs: number;
}

export interface WorkerPool {
  start(): void;
  /** Looks for work now (a batch was just submitted). */
  wake(): void;
  /** Aborts the in-flight requests of a batch (it was cancelled or deleted). */
  abortBatch(batchId: string): void;
  /**
   * Writes a batch's results and final state now (its work is over); joins a finalization of
   * the same batch already running in this process. Resolves the final record.
   */
  finalize(batchId: string): Promise<BatchRecord | undefined>;
  /**
   * Stops claiming and starting requests, lets in-flight ones finish for up to `graceMs`, then
   * aborts the rest and gives every shard back.
   */
  stop(graceMs?: number): Promise<void>;
  readonly slots: Semaphore;
  /** What this worker knows of each model (limits, recent failures), for progress views. */
  readonly status: WorkerStatus;
  /** Each model route's limiter state now (routes this worker has called), for metrics. */
  limiterSnapshots(): { route: string; limiter: LimiterSnapshot }[];
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { store, clock, logger } = options;
  const events = options.events ?? NO_EVENTS;
  const slots = new Semaphore(options.concurrency);
  const limiters = new Map<string, ModelLimiter>();
  const limiterFor = (model: ResolvedModel): ModelLimiter => {
    let limiter = limiters.get(model.routeName);
    if (!limiter) {
      limiter = createModelLimiter({ clock, ...model.limits });
      limiters.set(model.routeName, limiter);
    }
    return limiter;
  };
  const failures = new Map<string, { atMs: number; status: string }>();
  const onBackendFailure = (model: ResolvedModel, error: BackendError): void => {
    failures.set(model.routeName, { atMs: clock.now(), status: error.status });
  };
  const deps: ShardRunnerDeps = { ...options, slots, limiterFor, onBackendFailure };
  const shutdown = new AbortController();
  const draining = new AbortController();
  const batchControllers = new Map<string, AbortController>();
  const active = new Set<Promise<void>>();
  let dispatching = 0;
  let running = false;
  let wakeUp: (() => void) | undefined;
  /** A wake that came while the loop was busy: the next idle returns at once. */
  let wokenWhileBusy = false;
  let loopDone: Promise<void> = Promise.resolve();

  const wake = (): void => {
    if (wakeUp) wakeUp();
    else wokenWhileBusy = true;
  };
  const idle = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (wokenWhileBusy) {
        wokenWhileBusy = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  // After a shard failed on storage (S3 or the disk away), claiming pauses, doubling up to a
  // ceiling, so an outage is not a busy loop of claims that fail at once.
  const backOff = createBackOff(clock, { initialMs: 500, maxMs: 15_000 });
  /** The same for the loop's own store calls (claim, sweep). */
  const loopBackOff = createBackOff(clock, { initialMs: 500, maxMs: 5_000 });

  const finalizing = new Map<string, Promise<BatchRecord | undefined>>();
  /** Batches whose finalization failed in this worker: its next sweep tries again at once. */
  const failedHere = new Set<string>();
  /** One finalization per batch at a time in this process (the store arbitrates between processes). */
  const finalizeOnce = (batchId: string): Promise<BatchRecord | undefined> => {
    let finalization = finalizing.get(batchId);
    if (!finalization) {
      finalization = finalizeBatch(batchId, options).then((record) => {
        failedHere.delete(batchId);
        return record;
      }, (error: unknown) => {
        failedHere.add(batchId);
        throw error;
      }).finally(() => {
        finalizing.delete(batchId);
        batchControllers.delete(batchId);
      });
      finalizing.set(batchId, finalization);
    }
    return finalization;
  };

  const controllerFor = (batchId: string): AbortController => {
    let controller = batchControllers.get(batchId);
    if (!controller) {
      controller = new AbortController();
      batchControllers.set(batchId, controller);
    }
    return controller;
  };

  /** Records a stop request on every batch past its completion window, and aborts its requests here. */
  const expireOverdue = async (): Promise<void> => {
    const now = clock.now();
    for (const batch of await store.batches.listOverdue(now, 100)) {
      if (await store.batches.requestStop(batch.id, 'BATCH_STATE_EXPIRED', now)) {
        logger.debug('batch expiring', { batch: batch.id });
        events.batchStopRequested({ tenantId: batch.tenantId, batchId: batch.id, model: batch.model, stopState: 'BATCH_STATE_EXPIRED', reason: 'completion window passed' });
        abortBatch(batch.id);
      }
    }
  };

  /**
   * When this worker's sweep first found each running batch with every shard done: the worker that
   * completed its last shard finalizes it (and another worker's copy of that work would be
   * thrown away), so a sweep takes over only after a lease's length, the time a dead worker's
   * shards wait too. Batches already due at this worker's first sweep (a restart) are finalized
   * at once, as are those whose finalization failed here.
   */
  const dueSince = new Map<string, number>();
  let swept = false;
  const takeOver = (batch: BatchRecord, now: number, firstSweep: boolean): boolean => {
    if (firstSweep || failedHere.has(batch.id)) return true;
    const since = dueSince.get(batch.id) ?? now;
    dueSince.set(batch.id, since);
    return now - since >= options.leaseMs;
  };

  /** Writes the results of every batch whose work is over (a stopped one once no live lease is left on it). */
  const finalizeDue = async (): Promise<void> => {
    const firstSweep = !swept;
    swept = true;
    const due = await store.batches.listUnfinalized(100);
    const dueIds = new Set(due.map((batch) => batch.id));
    for (const id of dueSince.keys()) if (!dueIds.has(id)) dueSince.delete(id);
    for (const batch of due) {
      const now = clock.now();
      if (batch.stopState) {
        // A stopped batch's shards may still be held by workers finishing their last appends.
        if (await store.shards.hasLiveLease(batch.id, now)) continue;
      } else if (!finalizing.has(batch.id) && !takeOver(batch, now, firstSweep)) {
        continue;
      }
      const final = await finalizeOnce(batch.id);
      logger.debug('batch finalized', { batch: batch.id, state: final?.state });
    }
  };

  /**
   * The sweep, every poll interval and after a shard ends stopped or lost: expiry first, so a
   * batch that just expired is finalized in the same pass once its shards are let go.
   */
  const sweep = async (): Promise<void> => {
    await expireOverdue();
    await finalizeDue();
  };

  /**
   * A batch whose model this process's configuration no longer serves (it was queued under
   * another one) cannot run: it FAILS as a whole, with NOT_FOUND, keeping no result.
   */
  const failUnservable = async ({ batch, shard }: ClaimedShard): Promise<void> => {
    const error = { code: 5, status: 'NOT_FOUND', message: `models/${batch.model} is no longer served by this server's model configuration, so the batch cannot run.` };
    if (await store.batches.requestStop(batch.id, 'BATCH_STATE_FAILED', clock.now(), error)) {
      logger.debug('batch failed: its model is no longer served', { batch: batch.id, model: batch.model });
      events.batchStopRequested({ tenantId: batch.tenantId, batchId: batch.id, model: batch.model, stopState: 'BATCH_STATE_FAILED', reason: error.message });
    }
    await store.shards.release(batch.id, shard.index, options.owner);
    await sweep();
  };

  const launch = (claimed: ClaimedShard): void => {
    logger.debug('shard claimed', { batch: claimed.batch.id, shard: claimed.shard.index });
    dispatching++;
    let dispatched = false;
    const markDispatched = (): void => {
      if (dispatched) return;
      dispatched = true;
      dispatching--;
      wake();
    };
    const signal = AbortSignal.any([shutdown.signal, controllerFor(claimed.batch.id).signal]);
    const where = { batch: claimed.batch.id, shard: claimed.shard.index };
    const task = runShard(claimed, deps, { abort: signal, drain: draining.signal }, markDispatched)
      .then(async ({ end, allDone, error }) => {
        logger.debug('shard ended', { ...where, end });
        if (end === 'failed') {
          backOff.failed();
          logger.warn('shard released: a result could not be stored; it resumes from its last stored result', {
            ...where, error, retryInMs: backOff.delayMs(),
          });
          return;
        }
        backOff.succeeded();
        if (allDone) {
          await finalizeOnce(claimed.batch.id);
        } else if ((end === 'stopped' || end === 'lost') && !shutdown.signal.aborted) {
          await sweep();
        }
      })
      .catch(async (error: unknown) => {
        backOff.failed();
        logger.error('shard failed; released for a retry', { ...where, error, retryInMs: backOff.delayMs() });
        await store.shards.release(claimed.batch.id, claimed.shard.index, options.owner).catch(() => undefined);
      })
      .finally(() => {
        markDispatched();
        active.delete(task);
        wake();
      });
    active.add(task);
  };

  const loop = async (): Promise<void> => {
    let lastSweep = 0;
    while (running) {
      try {
        if (clock.now() - lastSweep >= options.pollMs) {
          lastSweep = clock.now();
          await sweep();
        }
        if (dispatching === 0 && active.size < options.maxActiveShards && backOff.ready()) {
          const now = clock.now();
          const claimed = await store.shards.claim(options.owner, now, now + options.leaseMs);
          if (claimed) {
            loopBackOff.succeeded();
            reportClaim(events, claimed, now);
            if (options.registry.resolve(claimed.batch.model)) launch(claimed);
            else await failUnservable(claimed);
            continue;
          }
        }
        loopBackOff.succeeded();
      } catch (error) {
        // The store is away (PostgreSQL restarting, a full disk): slow down, one line per attempt.
        loopBackOff.failed();
        logger.error('worker loop error', { error, retryInMs: loopBackOff.delayMs() });
      }
      await idle(Math.max(options.pollMs, loopBackOff.delayMs()));
    }
  };

  function abortBatch(batchId: string): void {
    batchControllers.get(batchId)?.abort(new Error('batch cancelled'));
    batchControllers.delete(batchId);
    wake();
  }

  return {
    slots,
    limiterSnapshots: () => [...limiters].map(([route, limiter]) => ({ route, limiter: limiter.snapshot() })),
    status: {
      get isRunning() {
        return running;
      },
      model(model) {
        const resolved = options.registry.resolve(model);
        if (!resolved) return undefined;
        const limiter = limiters.get(resolved.routeName)?.snapshot();
        const lastFailure = failures.get(resolved.routeName);
        return { ...(limiter ? { limiter } : {}), ...(lastFailure ? { lastFailure } : {}) };
      },
    },
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
    },
    wake,
    abortBatch,
    finalize: finalizeOnce,
    async stop(graceMs = 0) {
      running = false;
      wake();
      await loopDone;
      draining.abort(new Error('worker draining'));
      const drained = Promise.allSettled([...active]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      shutdown.abort(new Error('worker stopping'));
      await drained;
      await store.shards.releaseAll(options.owner);
    },
  };
}

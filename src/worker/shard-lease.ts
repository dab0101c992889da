/**
 * Holding a shard's lease while a worker runs it: a renewal timer extends the lease every third
 * of its length, and a progress timer saves the shard's counts every interval. The store
 * answers both with whether this worker should go on; the first `false` (the lease went to
 * another worker, or the batch was cancelled or expired by any process) aborts `lost`, so a
 * stopped batch is noticed within one progress interval rather than one renewal. A failed call
 * (the store briefly away) is logged and tried again at the next tick; the lease's length
 * covers two missed renewals.
 *
 * `stop()` clears both timers and waits for the calls in flight, so once it resolves the lease
 * unit does nothing more and `lost` is final. Clock and timers are injectable for tests.
 */
import type { ShardRecord } from '../core/batch.js';
import type { TokenUsage } from '../core/usage.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';

/** Interval timers, injectable so tests can fire them by hand and see that none is left. */
export interface LeaseTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemLeaseTimers: LeaseTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** A shard's counts so far, as the progress timer saves them. */
export interface ShardTally {
  succeeded: number;
  failed: number;
  usage: TokenUsage;
}

export interface ShardLeaseDeps {
  store: Store;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** This worker's identity in leases. */
  owner: string;
  leaseMs: number;
  progressIntervalMs: number;
  /** Default the global setInterval / clearInterval. */
  timers?: LeaseTimers;
}

export interface ShardLease {
  /** Aborts (once) when the store answers that this worker should stop: lease lost or batch stopped. */
  readonly lost: AbortSignal;
  /** Starts the renewal and progress timers. */
  start(): void;
  /** Clears the timers and waits for the store calls in flight; idempotent. */
  stop(): Promise<void>;
}

/** The shortest renewal period, whatever the lease length. */
const MIN_RENEW_MS = 50;

export function createShardLease(shard: ShardRecord, tally: () => ShardTally, deps: ShardLeaseDeps): ShardLease {
  const { store, owner } = deps;
  const timers = deps.timers ?? systemLeaseTimers;
  const lost = new AbortController();
  const handles: unknown[] = [];
  const inFlight = new Set<Promise<void>>();
  const where = { batch: shard.batchId, shard: shard.index };

  /** Runs one store call; `false` means stop, a rejection is logged as `failure`. */
  const ask = (call: () => Promise<boolean>, failure: string): void => {
    const answered = call().then(
      (held) => {
        if (!held) lost.abort(new Error('lease lost or batch stopped'));
      },
      (error: unknown) => deps.logger.warn(failure, { ...where, error }),
    );
    const tracked = answered.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const renew = (): void =>
    ask(() => store.shards.renew(shard.batchId, shard.index, owner, deps.clock.now() + deps.leaseMs), 'lease renewal failed');
  const saveProgress = (): void => {
    const { succeeded, failed, usage } = tally();
    ask(() => store.shards.recordProgress(shard.batchId, shard.index, owner, succeeded, failed, usage), 'progress update failed');
  };

  return {
    lost: lost.signal,
    start() {
      if (handles.length > 0) return;
      handles.push(timers.setInterval(renew, Math.max(MIN_RENEW_MS, Math.floor(deps.leaseMs / 3))));
      handles.push(timers.setInterval(saveProgress, deps.progressIntervalMs));
    },
    async stop() {
      for (const handle of handles.splice(0)) timers.clearInterval(handle);
      await Promise.allSettled([...inFlight]);
    },
  };
}

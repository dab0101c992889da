/**
 * A worker process's heartbeat: its row in the store's worker table, upserted every interval
 * with what it is doing, and removed on clean shutdown. Rows silent for a day are pruned, so a
 * crashed process does not stay listed forever (it shows as not alive long before).
 */
import type { WorkerRecord } from '../core/worker.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';

const PRUNE_AFTER_MS = 24 * 3_600_000;

export interface WorkerHeartbeatOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** The row as of now (in-flight count changes between beats). */
  describe: () => Omit<WorkerRecord, 'heartbeatAtMs'>;
}

export interface WorkerHeartbeat {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A worker counts as alive while its last heartbeat is younger than this many intervals. */
export const ALIVE_INTERVALS = 3;

export function createWorkerHeartbeat(options: WorkerHeartbeatOptions): WorkerHeartbeat {
  const { store, clock, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();
  const beat = async (): Promise<void> => {
    const now = clock.now();
    try {
      await store.workers.heartbeat({ ...options.describe(), heartbeatAtMs: now });
      await store.workers.prune(now - PRUNE_AFTER_MS);
    } catch (error) {
      logger.warn('worker heartbeat failed', { error });
    }
  };
  return {
    async start() {
      await beat();
      timer = setInterval(() => {
        beating = beat();
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await beating;
      await store.workers.remove(options.describe().id).catch((error: unknown) => logger.warn('worker row removal failed', { error }));
    },
  };
}

/**
 * The batch workers of one process with `--worker-threads N` (N > 1), each on a worker thread
 * (worker-thread.ts) with its own store connection, backends, concurrency and per-model limits,
 * claiming shards by lease as worker processes do; the main thread keeps the API. One worker
 * tops out at one core of parsing, result lines and appends; a fast backend's batch (the
 * simulated model, a local server) then runs on more cores, and the API's event loop does not
 * wait behind batch work.
 *
 * The main thread tells the threads what its batch service learns (a new batch: look for work
 * now; a cancelled one: abort its requests) and replays their engine events into this
 * process's metrics and lifecycle log. A thread that dies is started again after a back-off
 * (1 s, doubling to 30 s), and its shards are given back at once, so another worker resumes them
 * from their last stored result without waiting for the lease to lapse. `close` drains each
 * thread as SIGTERM drains a worker process.
 */
import type { Worker } from 'node:worker_threads';
import type { EngineEvents } from '../core/engine-events.js';
import { createBackOff } from '../lib/back-off.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { spawnModuleThread } from '../lib/spawn-thread.js';
import type { Store } from '../store/store.js';
import { replayEvents, type ForwardedEvent } from './thread-events.js';

/** What a thread is started with. */
export interface WorkerThreadData<C> {
  config: C;
  /** 1 for the first thread, for its log lines. */
  index: number;
}

/** Main thread → worker thread. */
export type ToThread = { type: 'wake' } | { type: 'abort'; batchId: string } | { type: 'stop'; graceMs: number };

/** Worker thread → main thread. */
export type FromThread = { type: 'ready'; workerId: string } | { type: 'events'; events: ForwardedEvent[] } | { type: 'stopped' };

export interface WorkerThreads {
  /** Threads started (the process's workers). */
  readonly size: number;
  /** Starts every thread; resolves once each runs its worker, rejects if one fails to start. */
  start(): Promise<void>;
  /** New work: every thread looks for it now. */
  wake(): void;
  /** A batch was stopped: every thread aborts its requests now. */
  abortBatch(batchId: string): void;
  /** The worker ids (as shard leases and heartbeat rows carry them) of the threads running now. */
  workerIds(): string[];
  /** Drains each thread for up to `graceMs` (in-flight requests finish, shards are given back), then ends it. */
  close(graceMs: number): Promise<void>;
}

export interface WorkerThreadsOptions<C> {
  /** The process's settings, handed to each thread (structured-clonable). */
  config: C;
  /** Threads to start. */
  count: number;
  /** This process's events: each thread's are replayed here. */
  events: EngineEvents;
  logger: Logger;
  /** Gives a dead thread's shards back. */
  store: Pick<Store, 'shards'>;
  /** Starts a thread; default worker-thread.ts (tests start others). */
  spawn?: (data: WorkerThreadData<C>) => Worker;
}

interface Slot {
  index: number;
  worker: Worker | undefined;
  workerId: string | undefined;
  backOff: ReturnType<typeof createBackOff>;
  restartTimer: NodeJS.Timeout | undefined;
  exited: Promise<void>;
}

/**
 * A worker thread's young generation at most: the requests in flight (256 × ~15 KB) survive
 * every scavenge of a small one and are copied each time. Measured on the throughput figure, a
 * worker's time in garbage collection: 13 % with V8's default, 6–8 % with 64 MiB, 4.5–5 % with
 * 128 MiB; peak RSS of a 2-thread server ~310, ~430 and ~535 MiB.
 */
const YOUNG_GENERATION_MB = 64;

/** How long past its grace period a stopping thread may take before it is terminated. */
const STOP_MARGIN_MS = 5_000;

export function createWorkerThreads<C>(options: WorkerThreadsOptions<C>): WorkerThreads {
  const { logger } = options;
  const spawn = options.spawn ?? ((data: WorkerThreadData<C>) => spawnModuleThread(import.meta.url, 'worker-thread', { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }));
  let closing = false;
  const slots: Slot[] = Array.from({ length: options.count }, (_, i) => ({
    index: i + 1, worker: undefined, workerId: undefined, restartTimer: undefined, exited: Promise.resolve(),
    backOff: createBackOff(systemClock, { initialMs: 1_000, maxMs: 30_000 }),
  }));
  const post = (message: ToThread): void => {
    for (const slot of slots) slot.worker?.postMessage(message);
  };

  /** Starts the slot's thread; resolves when it is running, rejects if it dies first. */
  const launch = (slot: Slot): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = spawn({ config: options.config, index: slot.index });
      let ready = false;
      slot.worker = worker;
      slot.exited = new Promise((done) => worker.once('exit', () => done()));
      worker.on('message', (message: FromThread) => {
        if (message.type === 'events') replayEvents(options.events, message.events);
        else if (message.type === 'ready') {
          ready = true;
          slot.workerId = message.workerId;
          slot.backOff.succeeded();
          resolve();
        }
      });
      let failure: unknown;
      worker.on('error', (error) => {
        failure = error;
        logger.error('worker thread failed', { thread: slot.index, error });
      });
      worker.once('exit', (code) => {
        slot.worker = undefined;
        const workerId = slot.workerId;
        slot.workerId = undefined;
        if (!ready) reject(failure instanceof Error ? failure : new Error(`worker thread ${slot.index} exited with code ${code} before it started`));
        if (closing) return;
        if (workerId) {
          options.store.shards.releaseAll(workerId).catch((error: unknown) => {
            logger.warn("a dead worker thread's shards could not be given back; their leases will lapse", { thread: slot.index, error });
          });
        }
        slot.backOff.failed();
        logger.error('worker thread exited; starting it again', { thread: slot.index, code, inMs: slot.backOff.delayMs() });
        slot.restartTimer = setTimeout(() => {
          slot.restartTimer = undefined;
          if (!closing) launch(slot).catch(() => undefined);
        }, slot.backOff.delayMs());
      });
    });

  return {
    size: options.count,
    async start() {
      await Promise.all(slots.map(launch));
    },
    workerIds: () => slots.flatMap((slot) => (slot.workerId === undefined ? [] : [slot.workerId])),
    wake: () => post({ type: 'wake' }),
    abortBatch: (batchId) => post({ type: 'abort', batchId }),
    async close(graceMs) {
      closing = true;
      await Promise.all(slots.map(async (slot) => {
        clearTimeout(slot.restartTimer);
        const worker = slot.worker;
        if (!worker) return;
        worker.postMessage({ type: 'stop', graceMs } satisfies ToThread);
        const timer = setTimeout(() => void worker.terminate(), graceMs + STOP_MARGIN_MS);
        await slot.exited;
        clearTimeout(timer);
      }));
    },
  };
}

/**
 * A small pool of worker threads that run `checkChunk` (line-facts.ts) over chunks of a large
 * batch input file, so that validating a create's million lines does not hold the event loop
 * (issue 18). Chunks go round-robin to the threads as transferred buffers, and each answer
 * comes back to the caller that sent it; the caller puts them back in order.
 *
 * Threads start on first use and are kept for the next create. They are unref'd while idle, so
 * they never keep the process alive (the engine has no close hook this module can reach; a
 * thread holds no state worth a clean stop). A thread that crashes or exits fails the checks it
 * was given with INTERNAL and is replaced on its next use.
 *
 * The entry follows the importing module's own extension: the compiled `line-check-worker.js`
 * next to this file in dist/, or `line-check-worker.ts` under tsx. Node 20 does not carry the
 * parent's tsx hooks (`--import tsx`) into a worker thread, so there the thread first registers
 * tsx itself, then imports the `.ts` entry.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BatchKind } from '../core/batch.js';
import { internalError } from '../core/errors.js';
import type { ChunkFacts } from './line-facts.js';

/** What the pool sends a thread: a chunk of whole lines to check. */
export interface LineCheckTask {
  id: number;
  kind: BatchKind;
  chunk: Uint8Array;
}

/** What a thread answers: the chunk's facts, or why checking it failed. */
export type LineCheckAnswer = { id: number; facts: ChunkFacts } | { id: number; error: string };

export interface LineCheckPool {
  /** Threads at most. */
  readonly size: number;
  /** Checks a chunk of whole lines on a thread; the chunk's buffer is moved there (unusable here after). */
  check(kind: BatchKind, chunk: Uint8Array): Promise<ChunkFacts>;
  /** Stops every thread; checks in flight fail. */
  close(): Promise<void>;
}

export interface LineCheckPoolOptions {
  /** Threads at most; default one less than the cores, between 1 and 4. */
  size?: number;
  /** Starts a thread; default the line-check worker entry (tests start others). */
  spawn?: () => Worker;
}

interface PendingCheck {
  resolve(facts: ChunkFacts): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, PendingCheck>;
}

/** Threads by default: one less than the cores the process may use, at least 1, at most 4. */
export const defaultLineCheckThreads = (): number => Math.max(1, Math.min(4, availableParallelism() - 1));

export function createLineCheckPool(options: LineCheckPoolOptions = {}): LineCheckPool {
  const size = Math.max(1, options.size ?? defaultLineCheckThreads());
  const spawn = options.spawn ?? spawnLineCheckWorker;
  const threads: (Thread | undefined)[] = Array.from({ length: size }, () => undefined);
  let next = 0;
  let nextId = 0;

  const start = (slot: number): Thread => {
    const worker = spawn();
    const thread: Thread = { worker, pending: new Map() };
    threads[slot] = thread;
    worker.unref();
    const fail = (error: Error): void => {
      if (threads[slot] === thread) threads[slot] = undefined;
      for (const check of thread.pending.values()) check.reject(error);
      thread.pending.clear();
    };
    worker.on('message', (answer: LineCheckAnswer) => {
      const check = thread.pending.get(answer.id);
      if (!check) return;
      thread.pending.delete(answer.id);
      if (thread.pending.size === 0) worker.unref();
      if ('facts' in answer) check.resolve(answer.facts);
      else check.reject(internalError(`Checking the input's lines failed: ${answer.error}`));
    });
    worker.on('error', (error) => fail(internalError('A line-check thread crashed while checking the input.', error)));
    worker.on('messageerror', (error) => fail(internalError('A line-check thread sent an unreadable answer.', error)));
    worker.on('exit', (code) => fail(internalError(`A line-check thread stopped (exit code ${code}) while checking the input.`)));
    return thread;
  };

  return {
    size,
    check(kind, chunk) {
      const slot = next;
      next = (next + 1) % size;
      const thread = threads[slot] ?? start(slot);
      const id = nextId++;
      const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
      return new Promise<ChunkFacts>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        if (thread.pending.size === 1) thread.worker.ref();
        const task: LineCheckTask = { id, kind, chunk: owned };
        thread.worker.postMessage(task, [owned.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(threads.flatMap((thread) => (thread ? [thread.worker.terminate()] : [])));
    },
  };
}

let shared: LineCheckPool | undefined;

/** The process's pool, created on first use (its threads start on their own first use). */
export function sharedLineCheckPool(): LineCheckPool {
  shared ??= createLineCheckPool();
  return shared;
}

/** Starts a thread on line-check-worker, `.js` or `.ts` as this module is itself. */
export function spawnLineCheckWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./line-check-worker.js', here));
  const entry = new URL('./line-check-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

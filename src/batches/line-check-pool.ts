/**
 * A small pool of worker threads that run `checkChunk` (line-facts.ts) over chunks of a large
 * batch input file, so that validating a create's million lines does not hold the event loop
 * (issue 18). Chunks go round-robin to the threads as transferred buffers, and each answer
 * comes back to the caller that sent it, with the chunk's buffer moved back to be used again;
 * the caller puts the answers back in order.
 *
 * Threads start on first use and stop once they have been idle for `idleMs` (default 250 ms): a
 * thread's heap and malloc arena hold ~80 MiB after checking a large file, which a server would
 * otherwise carry through the run that follows the create, and starting one again costs ~30 ms.
 * They are unref'd while idle, so they never keep the process alive, and hold no state worth a
 * clean stop. Each thread's young generation is capped (`YOUNG_GENERATION_MB`): parsing leaves
 * only short-lived garbage, and a smaller nursery keeps its resident size down at no measurable
 * cost. A thread that crashes or exits fails the checks it was given with INTERNAL and is
 * replaced on its next use.
 *
 * The entry follows this module's own extension (lib/spawn-thread.ts).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnModuleThread } from '../lib/spawn-thread.js';
import type { BatchKind } from '../core/batch.js';
import { internalError } from '../core/errors.js';
import type { ChunkFacts } from './line-facts.js';

/** What the pool sends a thread: whole lines to check in the first `length` bytes of `chunk`. */
export interface LineCheckTask {
  id: number;
  kind: BatchKind;
  chunk: Uint8Array;
  length: number;
}

/** What a thread answers, with the task's buffer moved back: the chunk's facts, or why checking it failed. */
export type LineCheckAnswer = { id: number; chunk: Uint8Array; facts: ChunkFacts } | { id: number; chunk: Uint8Array; error: string };

/** A chunk's facts, and its buffer back (moved back from the thread) to be used again. */
export interface CheckedChunk {
  facts: ChunkFacts;
  bytes: Uint8Array;
}

export interface LineCheckPool {
  /** Threads at most. */
  readonly size: number;
  /**
   * Checks the whole lines in the first `length` bytes of `chunk` (default all) on a thread. A
   * chunk that is a whole buffer is moved there and back (unusable here until the answer gives
   * it back); any other is copied first.
   */
  check(kind: BatchKind, chunk: Uint8Array, length?: number): Promise<CheckedChunk>;
  /** Stops every thread; checks in flight fail. */
  close(): Promise<void>;
}

export interface LineCheckPoolOptions {
  /** Threads at most; default one less than the cores, between 1 and 4. */
  size?: number;
  /** Starts a thread; default the line-check worker entry (tests start others). */
  spawn?: () => Worker;
  /** A thread with nothing to check stops after this long; default 250 ms. */
  idleMs?: number;
}

interface PendingCheck {
  resolve(checked: CheckedChunk): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, PendingCheck>;
  idleTimer?: NodeJS.Timeout | undefined;
}

const DEFAULT_IDLE_MS = 250;
/** A line-check thread's young generation at most (V8's default grows to 48 MiB). */
const YOUNG_GENERATION_MB = 8;

/** Threads by default: one less than the cores the process may use, at least 1, at most 4. */
export const defaultLineCheckThreads = (): number => Math.max(1, Math.min(4, availableParallelism() - 1));

export function createLineCheckPool(options: LineCheckPoolOptions = {}): LineCheckPool {
  const size = Math.max(1, options.size ?? defaultLineCheckThreads());
  const spawn = options.spawn ?? spawnLineCheckWorker;
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const threads: (Thread | undefined)[] = Array.from({ length: size }, () => undefined);
  let next = 0;
  let nextId = 0;

  const start = (slot: number): Thread => {
    const worker = spawn();
    const thread: Thread = { worker, pending: new Map() };
    threads[slot] = thread;
    worker.unref();
    const fail = (error: Error): void => {
      clearTimeout(thread.idleTimer);
      if (threads[slot] === thread) threads[slot] = undefined;
      for (const check of thread.pending.values()) check.reject(error);
      thread.pending.clear();
    };
    worker.on('message', (answer: LineCheckAnswer) => {
      const check = thread.pending.get(answer.id);
      if (!check) return;
      thread.pending.delete(answer.id);
      if (thread.pending.size === 0) idle(slot, thread);
      if ('facts' in answer) check.resolve({ facts: answer.facts, bytes: answer.chunk });
      else check.reject(internalError(`Checking the input's lines failed: ${answer.error}`));
    });
    worker.on('error', (error) => fail(internalError('A line-check thread crashed while checking the input.', error)));
    worker.on('messageerror', (error) => fail(internalError('A line-check thread sent an unreadable answer.', error)));
    worker.on('exit', (code) => fail(internalError(`A line-check thread stopped (exit code ${code}) while checking the input.`)));
    return thread;
  };

  /** Lets the thread go (unref'd), and stops it unless it is given work within `idleMs`. */
  const idle = (slot: number, thread: Thread): void => {
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => {
      if (threads[slot] !== thread || thread.pending.size > 0) return;
      threads[slot] = undefined;
      void thread.worker.terminate();
    }, idleMs);
    thread.idleTimer.unref();
  };

  return {
    size,
    check(kind, chunk, length = chunk.byteLength) {
      const slot = next;
      next = (next + 1) % size;
      const thread = threads[slot] ?? start(slot);
      const id = nextId++;
      // A copy into a buffer of its own (`new Uint8Array`: a Buffer's `slice` would not copy, and moving its
      // buffer would take Node's shared buffer pool with it).
      const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : new Uint8Array(chunk);
      return new Promise<CheckedChunk>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        if (thread.pending.size === 1) {
          clearTimeout(thread.idleTimer);
          thread.worker.ref();
        }
        const task: LineCheckTask = { id, kind, chunk: owned, length };
        thread.worker.postMessage(task, [owned.buffer as ArrayBuffer]);
      });
    },
    async close() {
      const running = threads.splice(0, size, ...Array.from({ length: size }, () => undefined));
      await Promise.all(running.flatMap((thread) => {
        if (!thread) return [];
        clearTimeout(thread.idleTimer);
        return [thread.worker.terminate()];
      }));
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
  return spawnModuleThread(import.meta.url, 'line-check-worker', { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

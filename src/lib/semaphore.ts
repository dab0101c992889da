/**
 * A counting semaphore: `acquire()` resolves when a slot is free (FIFO), `release()` frees one.
 * The limit can change at run time (adaptive concurrency); waiters honour an AbortSignal
 * (watched through `onAbort`, one listener per signal).
 */
import { onAbort } from './abort.js';

export class Semaphore {
  private active = 0;
  private readonly waiters: { resolve: () => void; reject: (reason: unknown) => void; unwatch?: () => void }[] = [];

  constructor(private limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get capacity(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.wake();
  }

  /** Takes a slot without waiting; false when none is free. */
  tryAcquire(): boolean {
    if (this.active >= this.limit || this.waiters.length > 0) return false;
    this.active++;
    return true;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { resolve, reject };
      if (signal) {
        waiter.unwatch = onAbort(signal, () => {
          const at = this.waiters.indexOf(waiter);
          if (at !== -1) this.waiters.splice(at, 1);
          reject(signal.reason);
        });
      }
      this.waiters.push(waiter);
    });
  }

  release(): void {
    this.active--;
    this.wake();
  }

  private wake(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      const waiter = this.waiters.shift();
      if (!waiter) return;
      waiter.unwatch?.();
      this.active++;
      waiter.resolve();
    }
  }
}

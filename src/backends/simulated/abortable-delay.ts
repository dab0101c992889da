/** Waiting that gives up the moment the call is aborted. */
import { BackendError } from '../backend.js';

/** Resolves after `delayMs`, or rejects with CANCELLED as soon as `signal` aborts. */
export type AbortableDelay = (delayMs: number, signal: AbortSignal) => Promise<void>;

/** The error of an aborted call: CANCELLED, never retried. */
export function cancelledError(signal: AbortSignal): BackendError {
  return new BackendError('the call was cancelled', { status: 'CANCELLED', retryable: false, cause: signal.reason });
}

/** Throws the CANCELLED error when `signal` is already aborted. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledError(signal);
}

/**
 * Creates a delay that adds one abort listener per signal however many calls wait on it: a
 * worker sharing one signal across hundreds of concurrent calls would otherwise trip Node's
 * MaxListenersExceededWarning and pay for a listener per call.
 */
export function createAbortableDelay(): AbortableDelay {
  const waiting = new WeakMap<AbortSignal, Set<() => void>>();
  return (delayMs, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(cancelledError(signal));
        return;
      }
      let cancels = waiting.get(signal);
      if (cancels === undefined) {
        const pending = new Set<() => void>();
        cancels = pending;
        waiting.set(signal, pending);
        signal.addEventListener('abort', () => pending.forEach((cancel) => cancel()), { once: true });
      }
      const registered = cancels;
      const cancel = (): void => {
        clearTimeout(timer);
        registered.delete(cancel);
        reject(cancelledError(signal));
      };
      const timer = setTimeout(() => {
        registered.delete(cancel);
        resolve();
      }, delayMs);
      registered.add(cancel);
    });
}

/**
 * The one way batchmode listens to an AbortSignal. A worker shares one signal (a shard's, the
 * shutdown's) across hundreds of concurrent calls, sleeps and limiter waits; one listener each
 * would trip Node's MaxListenersExceededWarning past ten and make every removal walk the signal's
 * whole listener list. `onAbort` instead gives each signal a single listener that fans out to a
 * Set of callbacks (constant-time add and remove), removed again once the last callback is
 * disposed, so a long-lived signal carries nothing for work that has finished.
 */

/** The callbacks registered on one signal, and the one listener that runs them. */
interface FanOut {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

const fanOuts = new WeakMap<AbortSignal, FanOut>();

/**
 * Runs `callback` once when `signal` aborts; the returned function unregisters it (idempotent,
 * a no-op after the abort). On a signal that has already aborted the callback never runs:
 * check `signal.aborted` first.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) return () => {};
  let fanOut = fanOuts.get(signal);
  if (fanOut === undefined) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      fanOuts.delete(signal);
      // A copy: callbacks may dispose others (or themselves) while the abort is fanned out.
      for (const run of [...callbacks]) if (callbacks.delete(run)) run();
    };
    fanOut = { callbacks, listener };
    fanOuts.set(signal, fanOut);
    signal.addEventListener('abort', listener, { once: true });
  }
  const registered = fanOut;
  // A wrapper per registration, so the same function registered twice is two registrations.
  const entry = (): void => callback();
  registered.callbacks.add(entry);
  return () => {
    if (!registered.callbacks.delete(entry) || registered.callbacks.size > 0) return;
    if (fanOuts.get(signal) === registered) fanOuts.delete(signal);
    signal.removeEventListener('abort', registered.listener);
  };
}

/**
 * Resolves after `ms`, or rejects as soon as `signal` aborts: with `toError(signal)`, by default
 * the signal's reason. Its abort registration is removed either way.
 */
export function abortableSleep(ms: number, signal: AbortSignal, toError: (signal: AbortSignal) => unknown = reasonOf): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(toError(signal));
      return;
    }
    const dispose = onAbort(signal, () => {
      clearTimeout(timer);
      reject(toError(signal));
    });
    const timer = setTimeout(() => {
      dispose();
      resolve();
    }, ms);
  });
}

/** The reason `signal` aborted with (an AbortError DOMException unless one was given). */
export function reasonOf(signal: AbortSignal): unknown {
  return signal.reason as unknown;
}

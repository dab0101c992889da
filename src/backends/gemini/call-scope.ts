/**
 * One upstream call's own abort signal: it aborts when the caller's signal aborts or when the
 * call's deadline passes, whichever comes first, and remembers which of the two it was.
 *
 * A worker shares one signal across the hundreds of calls of a shard, so each caller signal gets
 * a single listener that fans out to its live calls; one listener per call would trip Node's
 * MaxListenersExceededWarning past ten and cost a listener registration per call.
 */

/** Why a call was stopped before it settled. */
export type StopReason = 'cancelled' | 'timeout';

export interface CallScope {
  /** Aborts on the caller's abort or on the deadline; hand this one to the HTTP client. */
  readonly signal: AbortSignal;
  /** Why the call was stopped, or undefined while it was not. */
  readonly stopReason: StopReason | undefined;
  /** Clears the deadline and unhooks from the caller's signal; call once the call has settled. */
  dispose(): void;
}

/** Opens the scope of one call. The caller's signal must not be aborted already. */
export type OpenCallScope = (callerSignal: AbortSignal, timeoutMs: number) => CallScope;

/** Creates a scope opener whose fan-out table is private to it (one per backend). */
export function createCallScopes(): OpenCallScope {
  const liveCalls = new WeakMap<AbortSignal, Set<() => void>>();

  function register(callerSignal: AbortSignal, onAbort: () => void): () => void {
    let calls = liveCalls.get(callerSignal);
    if (calls === undefined) {
      const created = new Set<() => void>();
      calls = created;
      liveCalls.set(callerSignal, created);
      callerSignal.addEventListener(
        'abort',
        () => {
          liveCalls.delete(callerSignal);
          created.forEach((abort) => abort());
        },
        { once: true },
      );
    }
    const registered = calls;
    registered.add(onAbort);
    return () => registered.delete(onAbort);
  }

  return (callerSignal, timeoutMs) => {
    const controller = new AbortController();
    let stopReason: StopReason | undefined;
    const stop = (reason: StopReason): void => {
      if (stopReason !== undefined) return;
      stopReason = reason;
      controller.abort(reason === 'timeout' ? new Error(`deadline of ${timeoutMs} ms passed`) : callerSignal.reason);
    };
    const unregister = register(callerSignal, () => stop('cancelled'));
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    timer.unref();
    return {
      signal: controller.signal,
      get stopReason() {
        return stopReason;
      },
      dispose() {
        clearTimeout(timer);
        unregister();
      },
    };
  };
}

/**
 * One upstream call's own abort signal: it aborts when the caller's signal aborts or when the
 * call's deadline passes, whichever comes first, and remembers which of the two it was. The
 * caller's signal is watched through lib/abort.ts's `onAbort` (one listener per signal, however
 * many calls share it).
 */
import { onAbort } from '../../lib/abort.js';

/** Why a call was stopped before it settled. */
export type StopReason = 'cancelled' | 'timeout';

export interface CallScope {
  /** Aborts on the caller's abort or on the deadline; hand this one to the HTTP client. */
  readonly signal: AbortSignal;
  /** The caller's own signal, the one the scope watches. */
  readonly callerSignal: AbortSignal;
  /** Why the call was stopped, or undefined while it was not. */
  readonly stopReason: StopReason | undefined;
  /** Clears the deadline and unhooks from the caller's signal; call once the call has settled. */
  dispose(): void;
}

/** Opens the scope of one call. The caller's signal must not be aborted already. */
export type OpenCallScope = (callerSignal: AbortSignal, timeoutMs: number) => CallScope;

/** Creates a scope opener (one per backend). */
export function createCallScopes(): OpenCallScope {
  return (callerSignal, timeoutMs) => {
    const controller = new AbortController();
    let stopReason: StopReason | undefined;
    const stop = (reason: StopReason): void => {
      if (stopReason !== undefined) return;
      stopReason = reason;
      controller.abort(reason === 'timeout' ? new Error(`deadline of ${timeoutMs} ms passed`) : callerSignal.reason);
    };
    const unregister = onAbort(callerSignal, () => stop('cancelled'));
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    timer.unref();
    return {
      signal: controller.signal,
      callerSignal,
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

/** The error of a backend call whose caller aborted it: CANCELLED, never retried. One for every backend. */
import { BackendError } from './backend.js';

/** The error a call rejects with once its caller's signal has aborted (the signal's reason is the cause). */
export function cancelledError(signal: AbortSignal): BackendError {
  return new BackendError('the call was cancelled', { status: 'CANCELLED', retryable: false, cause: signal.reason });
}

/** Throws the CANCELLED error when `signal` is already aborted. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledError(signal);
}

/** The error of an aborted call: CANCELLED, never retried. */
import { BackendError } from '../backend.js';

/** The error a call rejects with once its signal has aborted. */
export function cancelledError(signal: AbortSignal): BackendError {
  return new BackendError('the call was cancelled', { status: 'CANCELLED', retryable: false, cause: signal.reason });
}

/** Throws the CANCELLED error when `signal` is already aborted. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledError(signal);
}

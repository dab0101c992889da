/**
 * Random-looking but reproducible transient failures: whether a call fails is a hash of the
 * request and the attempt number, so a given try always behaves the same while a retry (a new
 * attempt number) is an independent draw and usually succeeds.
 */
import { BackendError } from '../backend.js';
import { hashToUnit } from './hash.js';

/** Whether this try of the request with hash `requestHash` fails, at `errorRate` (0..1) of tries. */
export function isTransientFailure(requestHash: number, attempt: number, errorRate: number): boolean {
  return errorRate > 0 && hashToUnit(requestHash, attempt) < errorRate;
}

/** The error a transient failure raises: a retryable 503, as an overloaded Gemini answers. */
export function transientError(): BackendError {
  return new BackendError('The model is overloaded. Please try again later. (simulated)', {
    status: 'UNAVAILABLE',
    retryable: true,
    httpStatus: 503,
  });
}

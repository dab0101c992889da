/** The error of a request this backend cannot translate: INVALID_ARGUMENT, never retried. */
import { BackendError } from '../backend.js';

/** A request the OpenAI-compatible backend refuses before sending anything. */
export function invalidRequest(message: string): BackendError {
  return new BackendError(message, { status: 'INVALID_ARGUMENT', retryable: false });
}

/** A Gemini feature (a tool, a field) an OpenAI-compatible server cannot honour. */
export function unsupportedFeature(feature: string, serverLabel: string): BackendError {
  return invalidRequest(`${feature} is not supported by the OpenAI-compatible backend (${serverLabel})`);
}

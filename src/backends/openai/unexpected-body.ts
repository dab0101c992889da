/**
 * The error for a 2xx body that is not what an OpenAI-compatible server sends: a misconfigured
 * base URL or a broken server. INTERNAL, not retried: asking again gets the same answer.
 */
import { BackendError } from '../backend.js';

/** Throws the error for a body with `problem`. */
export function unexpectedBody(serverLabel: string, problem: string): never {
  throw new BackendError(`the OpenAI-compatible server ${serverLabel} answered with an unexpected body: ${problem}`, {
    status: 'INTERNAL',
    retryable: false,
  });
}

/**
 * Scripted faults: a request whose text contains `match` fails the way the fault says, on every
 * try or only on the first `attempts` tries (so a retrying caller eventually succeeds).
 */
import { z } from 'zod';
import { RPC_STATUS, type RpcStatusName } from '../../core/errors.js';
import { BackendError } from '../backend.js';

const FAULT_STATUSES = Object.keys(RPC_STATUS).filter((name) => name !== 'OK') as [RpcStatusName, ...RpcStatusName[]];
const RETRYABLE_STATUSES: ReadonlySet<RpcStatusName> = new Set(['RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED']);
const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Gemini's own wording for the statuses a test is most likely to script. */
const MESSAGES: Partial<Record<RpcStatusName, string>> = {
  RESOURCE_EXHAUSTED: 'Resource has been exhausted (e.g. check quota).',
  UNAVAILABLE: 'The model is overloaded. Please try again later.',
  INTERNAL: 'An internal error has occurred.',
  INVALID_ARGUMENT: 'Request contains an invalid argument.',
  DEADLINE_EXCEEDED: 'Deadline expired before operation could complete.',
  PERMISSION_DENIED: 'The caller does not have permission.',
  NOT_FOUND: 'Requested entity was not found.',
};

/** Config schema of one scripted fault. */
export const simulatedFaultSchema = z.strictObject({
  /** The fault applies to requests whose text (system instruction and contents) contains this. */
  match: z.string(),
  /** The google.rpc status of a kind 'error' fault. */
  error: z.enum(FAULT_STATUSES).default('UNAVAILABLE'),
  /** HTTP status reported with the error; default: the status's canonical one (429, 503, …). */
  httpStatus: z.number().int().min(100).max(599).optional(),
  /** Becomes the error's `retryAfterMs`, as a `Retry-After` header would. */
  retryAfterSeconds: z.number().nonnegative().optional(),
  /** 'error' (default): an HTTP error; 'timeout': no answer in time; 'reset': the connection drops. */
  kind: z.enum(['error', 'timeout', 'reset']).optional(),
  /** Fail only tries 1..attempts (CallOptions.attempt); default: every try. */
  attempts: z.number().int().positive().optional(),
});

/** One scripted fault (see `simulatedFaultSchema`). */
export type SimulatedFault = z.infer<typeof simulatedFaultSchema>;

/** The first fault that applies to this text on this attempt. */
export function findFault(faults: readonly SimulatedFault[], text: string, attempt: number): SimulatedFault | undefined {
  return faults.find((fault) => text.includes(fault.match) && (fault.attempts === undefined || attempt <= fault.attempts));
}

/** The error a fault raises. Retryable: transient statuses, or 429/500/502/503/504. */
export function faultError(fault: SimulatedFault): BackendError {
  const retryAfterMs = fault.retryAfterSeconds === undefined ? undefined : Math.round(fault.retryAfterSeconds * 1000);
  const suffix = `(simulated fault matching ${JSON.stringify(fault.match)})`;
  if (fault.kind === 'timeout') {
    return new BackendError(`${MESSAGES.DEADLINE_EXCEEDED ?? ''} ${suffix}`, {
      status: 'DEADLINE_EXCEEDED',
      retryable: true,
      retryAfterMs,
      httpStatus: fault.httpStatus,
    });
  }
  if (fault.kind === 'reset') {
    return new BackendError(`connection reset by peer ${suffix}`, {
      status: 'UNAVAILABLE',
      retryable: true,
      retryAfterMs,
      httpStatus: fault.httpStatus,
    });
  }
  const httpStatus = fault.httpStatus ?? RPC_STATUS[fault.error].http;
  return new BackendError(`${MESSAGES[fault.error] ?? fault.error} ${suffix}`, {
    status: fault.error,
    retryable: RETRYABLE_STATUSES.has(fault.error) || RETRYABLE_HTTP_STATUSES.has(httpStatus),
    retryAfterMs,
    httpStatus,
  });
}

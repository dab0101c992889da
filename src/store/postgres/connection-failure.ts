/**
 * Tells a lost or refused database connection (PostgreSQL restarting, unreachable, out of
 * connection slots) from every other failure, and turns it into UNAVAILABLE: the API answers
 * 503 and the caller may retry, where an unknown error would be a 500. Only connection-level
 * failures qualify; a constraint violation or a bad query stays what it is.
 */
import { AppError, unavailable } from '../../core/errors.js';

/** Socket errors of a connection that could not be made or was cut. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH',
  'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT', // ENOENT: a Unix-socket path that is gone while the server is down
]);

/** SQLSTATEs of a server that is going away, starting up or full (class 08 is matched as a class). */
const SERVER_CODES = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down
  '53300', // too_many_connections
]);

/** node-postgres's own messages for a connection it lost or never got. */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated due to connection timeout$/,
  /is not queryable$/,
  /^Client has encountered a connection error/,
];

/** Whether `error` means the database connection is gone, refused or could not be had in time. */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (typeof message === 'string' && CLIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // An AggregateError from trying each address of a host name in turn.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isConnectionFailure);
}

/** `error` as UNAVAILABLE when it is a connection failure, else unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof AppError || !isConnectionFailure(error)) return error;
  return unavailable('The metadata store is unavailable; retry later.', error);
}

/**
 * Failed calls → BackendError, which decides retries (house style 8: nothing parses messages).
 *
 * HTTP statuses: 429 → RESOURCE_EXHAUSTED; 500 → INTERNAL; 502, 503 and other 5xx →
 * UNAVAILABLE; 504 and 408 → DEADLINE_EXCEEDED; all of those retryable, with the server's
 * Retry-After. 501 → UNIMPLEMENTED; 400, 413 and 422 → INVALID_ARGUMENT; 401 and 403 →
 * PERMISSION_DENIED; 404 → NOT_FOUND; other 4xx (and redirects, which are not followed) →
 * FAILED_PRECONDITION; none of those retried.
 *
 * Transport failures (connection refused or reset, socket closed, DNS, timeouts) are
 * retryable: timeouts waiting for the answer → DEADLINE_EXCEEDED, the rest → UNAVAILABLE. An
 * aborted call is CANCELLED, never retried, whatever error the abort surfaced as.
 */
import type { RpcStatusName } from '../../core/errors.js';
import { BackendError } from '../backend.js';
import { cancelledError } from '../cancelled-error.js';
import { retryAfterMs, type ResponseHeaders } from '../../lib/retry-after.js';
import { upstreamErrorMessageOfText } from './upstream-error-message.js';

/** The google.rpc status of each HTTP status an OpenAI-compatible server answers with. */
const HTTP_STATUSES: Readonly<Record<number, RpcStatusName>> = {
  400: 'INVALID_ARGUMENT', 401: 'PERMISSION_DENIED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 408: 'DEADLINE_EXCEEDED',
  413: 'INVALID_ARGUMENT', 422: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};
/** Only overload, server faults and timeouts are worth another try. */
const RETRYABLE_HTTP_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Transport error codes meaning the answer took too long. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Transport error codes meaning the server could not be reached or dropped the connection. */
const UNAVAILABLE_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** The error for a non-2xx answer; `bodyText` is its body (may be empty). */
export function errorFromStatus(statusCode: number, headers: ResponseHeaders, bodyText: string, serverLabel: string, now?: number): BackendError {
  const mapped = mapHttpStatus(statusCode);
  const detail = bodyText.trim() === '' ? '' : `: ${upstreamErrorMessageOfText(bodyText)}`;
  const wait = mapped.retryable ? retryAfterMs(headers, now) : undefined;
  return new BackendError(`the OpenAI-compatible server ${serverLabel} answered HTTP ${statusCode}${detail}`, {
    status: mapped.status,
    retryable: mapped.retryable,
    httpStatus: statusCode,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  });
}

/**
 * The error a server reported inside a stream that had started well (vLLM: a `data:` payload
 * with `error`; llama.cpp: an `error:` line). Its numeric `code`, when it has one, is read as an
 * HTTP status; otherwise it counts as a 500.
 */
export function errorFromStreamEvent(data: string, serverLabel: string): BackendError {
  let code: unknown;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null) {
      const { error } = parsed as { error?: unknown };
      code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : (parsed as { code?: unknown }).code;
    }
  } catch {
    code = undefined;
  }
  const statusCode = typeof code === 'number' && code >= 400 && code <= 599 ? code : 500;
  const mapped = mapHttpStatus(statusCode);
  return new BackendError(`the OpenAI-compatible server ${serverLabel} failed mid-stream: ${upstreamErrorMessageOfText(data)}`, {
    status: mapped.status,
    retryable: mapped.retryable,
    httpStatus: statusCode,
  });
}

/** The error for a call that threw (transport failure, abort, unreadable body). */
export function errorFromFailure(error: unknown, signal: AbortSignal, serverLabel: string): BackendError {
  if (signal.aborted) return cancelledError(signal);
  if (error instanceof BackendError) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new BackendError(`the OpenAI-compatible server ${serverLabel} did not answer in time: ${reason} (${code})`, { status: 'DEADLINE_EXCEEDED', retryable: true, cause: error });
  }
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return new BackendError(`cannot reach the OpenAI-compatible server ${serverLabel}: ${reason || code} (${code})`, { status: 'UNAVAILABLE', retryable: true, cause: error });
  }
  return new BackendError(`the call to the OpenAI-compatible server ${serverLabel} failed: ${reason}`, { status: 'INTERNAL', retryable: false, cause: error });
}

function mapHttpStatus(statusCode: number): { status: RpcStatusName; retryable: boolean } {
  const status = HTTP_STATUSES[statusCode];
  if (status !== undefined) return { status, retryable: RETRYABLE_HTTP_STATUSES.has(statusCode) };
  return statusCode >= 500 ? { status: 'UNAVAILABLE', retryable: true } : { status: 'FAILED_PRECONDITION', retryable: false };
}

/** The `code` of a Node or undici error; for an AggregateError (happy eyeballs), its first inner error's. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
}

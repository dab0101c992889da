/**
 * Upstream failures → BackendError. Gemini answers errors as google.rpc.Status envelopes
 * (`{"error":{"code":<http>,"message","status","details"}}`); the HTTP status decides
 * retryability and the status name is kept when it is one we know. Every message passes through
 * `redact` so the API key never reaches a result line or a log, even if an upstream echoes it.
 */
import { RPC_STATUS, type RpcStatusName } from '../../core/errors.js';
import { BackendError } from '../backend.js';
import type { CallScope } from './call-scope.js';
import { cancelledError } from '../cancelled-error.js';
import { retryAfterMs as headerRetryAfterMs } from '../../lib/retry-after.js';
import { retryInfoDelayMs } from './retry-delay.js';

/** Removes secrets from text that may travel into results and logs. */
export type Redact = (text: string) => string;

/** Longest upstream text kept in a message (an HTML error page can be large). */
const MAX_MESSAGE_CHARS = 2000;

/** Status names for 4xx/5xx codes when upstream names none we know (google.rpc code.proto mapping). */
const STATUS_BY_HTTP: Readonly<Partial<Record<number, RpcStatusName>>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  416: 'OUT_OF_RANGE',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
};

/** Replaces every occurrence of `secret` with `[redacted]`. */
export function createRedact(secret: string): Redact {
  return (text) => (text.includes(secret) ? text.split(secret).join('[redacted]') : text);
}

/**
 * Retry rules by HTTP status: 408, 429, 500, 502, 503, 504 and other 5xx (bar 501) are transient;
 * other 4xx are the request's fault and fail at once. 5xx and 429 keep the canonical name of their
 * code; a 4xx keeps the upstream's name when it is a known one.
 */
function classify(httpStatus: number, upstreamStatus: RpcStatusName | undefined): { status: RpcStatusName; retryable: boolean } {
  switch (httpStatus) {
    case 408:
      return { status: upstreamStatus ?? 'DEADLINE_EXCEEDED', retryable: true };
    case 429:
      return { status: 'RESOURCE_EXHAUSTED', retryable: true };
    case 500:
      return { status: 'INTERNAL', retryable: true };
    case 502:
    case 503:
      return { status: 'UNAVAILABLE', retryable: true };
    case 504:
      return { status: 'DEADLINE_EXCEEDED', retryable: true };
    case 501:
      return { status: 'UNIMPLEMENTED', retryable: false };
  }
  if (httpStatus >= 500) return { status: upstreamStatus ?? 'UNAVAILABLE', retryable: true };
  if (httpStatus >= 400) return { status: upstreamStatus ?? STATUS_BY_HTTP[httpStatus] ?? 'INVALID_ARGUMENT', retryable: false };
  // 1xx/3xx: a redirect or an upgrade we did not ask for; repeating it would not help.
  return { status: 'UNKNOWN', retryable: false };
}

interface UpstreamStatus {
  code: number | undefined;
  message: string | undefined;
  status: RpcStatusName | undefined;
  details: unknown;
}

function isRpcStatusName(value: unknown): value is RpcStatusName {
  return typeof value === 'string' && value !== 'OK' && Object.hasOwn(RPC_STATUS, value);
}

/** The google.rpc.Status inside `{"error":…}` (some front ends wrap it in a one-element array). */
function readStatus(body: unknown): UpstreamStatus | undefined {
  const envelope: unknown = Array.isArray(body) ? (body as unknown[])[0] : body;
  if (typeof envelope !== 'object' || envelope === null) return undefined;
  return readStatusObject((envelope as { error?: unknown }).error);
}

function readStatusObject(error: unknown): UpstreamStatus | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, status, details } = error as Record<string, unknown>;
  return {
    code: typeof code === 'number' ? code : undefined,
    message: typeof message === 'string' ? message : undefined,
    status: isRpcStatusName(status) ? status : undefined,
    details,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function shorten(text: string): string {
  const flat = text.trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS)}…` : flat;
}

function upstreamError(
  httpStatus: number,
  upstream: UpstreamStatus | undefined,
  fallbackText: string,
  retryAfterMs: number | undefined,
  redact: Redact,
): BackendError {
  const { status, retryable } = classify(httpStatus, upstream?.status);
  const said = upstream?.message ?? (fallbackText.trim() === '' ? '(empty body)' : fallbackText);
  return new BackendError(redact(`upstream Gemini answered ${httpStatus} ${status}: ${shorten(said)}`), {
    status,
    retryable,
    httpStatus,
    ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** The error for a non-2xx HTTP answer, from its status, headers and body text. */
export function errorFromHttpResponse(
  httpStatus: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  redact: Redact,
  nowMs = Date.now(),
): BackendError {
  const upstream = readStatus(parseJson(bodyText));
  const retryAfterMs = headerRetryAfterMs(headers, nowMs) ?? retryInfoDelayMs(upstream?.details);
  return upstreamError(httpStatus, upstream, bodyText, retryAfterMs, redact);
}

/**
 * The error for a stream event carrying `{"error":…}` after a 200: its `code` is the HTTP status
 * the call would have had (derived from the status name when absent).
 */
export function errorFromStreamEvent(error: unknown, redact: Redact): BackendError {
  const upstream = readStatusObject(error);
  const httpStatus =
    upstream?.code !== undefined && upstream.code >= 100 ? upstream.code : upstream?.status !== undefined ? RPC_STATUS[upstream.status].http : 500;
  return upstreamError(httpStatus, upstream, JSON.stringify(error) ?? '', retryInfoDelayMs(upstream?.details), redact);
}

/** Network-level failure codes that mean "the answer took too long". */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
/** Failures of our own making (bad arguments, a closed backend): retrying cannot help. */
const PROGRAMMING_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED', 'ERR_INVALID_ARG_TYPE']);

/**
 * The error for a call that failed below HTTP (or was stopped): CANCELLED when the caller
 * aborted, DEADLINE_EXCEEDED (retryable) on our deadline or a client timeout, UNAVAILABLE
 * (retryable) for refused/reset/closed connections and the like. BackendErrors pass through.
 */
export function errorFromTransport(error: unknown, scope: CallScope, timeoutMs: number, redact: Redact): BackendError {
  if (scope.stopReason === 'cancelled') return cancelledError(scope.callerSignal);
  if (scope.stopReason === 'timeout') {
    return new BackendError(`upstream Gemini did not answer within ${timeoutMs} ms`, { status: 'DEADLINE_EXCEEDED', retryable: true, cause: error });
  }
  if (error instanceof BackendError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const text = redact(error instanceof Error ? error.message : String(error));
  const detail = typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new BackendError(`upstream Gemini timed out: ${detail}`, { status: 'DEADLINE_EXCEEDED', retryable: true, cause: error });
  }
  if (typeof code === 'string' && PROGRAMMING_CODES.has(code)) {
    return new BackendError(`upstream Gemini call could not be made: ${detail}`, { status: 'INTERNAL', retryable: false, cause: error });
  }
  return new BackendError(`upstream Gemini unreachable: ${detail}`, { status: 'UNAVAILABLE', retryable: true, cause: error });
}

/** A 2xx answer whose body is not what the method returns: a misconfigured base URL, most likely. */
export function malformedResponseError(method: string, detail: string, redact: Redact): BackendError {
  return new BackendError(redact(`upstream Gemini answered ${method} with an unexpected body: ${shorten(detail)}`), {
    status: 'UNKNOWN',
    retryable: false,
  });
}

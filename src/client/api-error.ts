/**
 * An error answer of the Gemini REST surface (a google.rpc.Status), or a transport failure, and
 * which of them are transient: worth trying again after a pause.
 */
import { retryAfterMs } from '../lib/retry-after.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached or the connection broke. */
    readonly httpStatus: number,
    /** google.rpc status name, e.g. NOT_FOUND, when the server said. */
    readonly status: string | undefined,
    /** How long the server asked to wait (`Retry-After`), when it said. */
    readonly retryAfterMs?: number,
    /** The server's own message (google.rpc.Status `message`), when it sent one. */
    readonly serverMessage?: string,
    /** The google.rpc.Status `details`, when it sent some. */
    readonly details?: readonly unknown[],
  ) {
    super(message);
  }
}

/** HTTP statuses a later try may well not get: timeouts, rate limits, a server or proxy in trouble. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether `error` is a transient failure: a connection error (status 0), a transient HTTP
 * status, or ABORTED (409: a concurrency conflict, such as an upload chunk sent while the
 * server still winds up the one a broken connection cut short; google.rpc says to retry).
 */
export function isTransient(error: unknown): error is ApiError {
  return error instanceof ApiError
    && (error.httpStatus === 0 || TRANSIENT_STATUSES.has(error.httpStatus) || (error.httpStatus === 409 && error.status === 'ABORTED'));
}

/** Reads a failed response into an ApiError (the body is a google.rpc.Status when it is JSON). */
export async function apiErrorOf(response: Response, what: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const wait = retryAfterMs({ 'retry-after': response.headers.get('retry-after') ?? undefined, 'retry-after-ms': response.headers.get('retry-after-ms') ?? undefined });
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; status?: unknown; details?: unknown } };
    const message = typeof body.error?.message === 'string' ? body.error.message : text;
    const status = typeof body.error?.status === 'string' ? body.error.status : undefined;
    return new ApiError(`${what}: ${response.status}${status ? ` ${status}` : ''}: ${message}`, response.status, status, wait,
      typeof body.error?.message === 'string' ? body.error.message : undefined, Array.isArray(body.error?.details) ? body.error.details : undefined);
  } catch {
    return new ApiError(`${what}: HTTP ${response.status}${text ? `: ${text.slice(0, 500)}` : ''}`, response.status, undefined, wait);
  }
}

/** A failure to reach the server, or a connection that broke while a request or answer was on the way. */
export function connectionError(what: string, baseUrl: string, error: unknown, phase: 'request' | 'body'): ApiError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
  return new ApiError(phase === 'request' ? `${what}: cannot reach ${baseUrl} (${cause})` : `${what}: the connection broke (${cause})`, 0, undefined);
}

/** The `metadata` of the google.rpc.ErrorInfo detail with this reason, if the error carries one. */
export function errorInfoMetadata(error: ApiError, reason: string): Record<string, unknown> | undefined {
  for (const detail of error.details ?? []) {
    const info = detail as { '@type'?: unknown; reason?: unknown; metadata?: unknown };
    if (info.reason === reason && String(info['@type']).endsWith('google.rpc.ErrorInfo') && typeof info.metadata === 'object' && info.metadata !== null) {
      return info.metadata as Record<string, unknown>;
    }
  }
  return undefined;
}

/**
 * The one door to S3: every request goes through `callS3`, so that a failure always says which
 * operation on which object failed (the SDK's own errors name neither). Errors stay plain
 * `Error`s (not AppError): their messages are internal. The API answers them as INTERNAL, or
 * as UNAVAILABLE when they are transient (S3 unreachable or answering 5xx).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { TransientFailure } from '../../core/errors.js';

/** The client and bucket a blob store talks to. */
export interface S3Target {
  client: S3Client;
  bucket: string;
}

/** Socket-level failures (no connection, or a cut one) and S3's own "try again" codes. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'TimeoutError',
  'SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeTooSkewed',
]);

/** A failed S3 request, with the SDK's error code and HTTP status when it had them. */
export class S3RequestError extends Error implements TransientFailure {
  override name = 'S3RequestError';
  /** The server was unreachable or said to try again later (5xx): the API answers UNAVAILABLE. */
  readonly isTransient: boolean;

  constructor(
    readonly operation: string,
    readonly objectKey: string,
    readonly code: string | undefined,
    readonly httpStatus: number | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const status = httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`;
    super(`S3 ${operation} of ${objectKey} failed: ${code ?? 'Error'}: ${reason}${status}`, { cause });
    this.isTransient = (code !== undefined && TRANSIENT_CODES.has(code)) || (httpStatus !== undefined && httpStatus >= 500 && httpStatus !== 501);
  }
}

/** Runs one S3 request for `objectKey`; a failure becomes an S3RequestError. */
export async function callS3<T>(operation: string, objectKey: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof S3RequestError) throw error;
    throw new S3RequestError(operation, objectKey, errorCode(error), httpStatusOf(error), error);
  }
}

/** True when the server does not implement the request (e.g. multi-object delete on some S3 clones). */
export const isUnsupported = (error: unknown): boolean =>
  error instanceof S3RequestError &&
  (error.code === 'NotImplemented' || error.code === 'MethodNotAllowed' || error.httpStatus === 501 || error.httpStatus === 405);

/** S3's error code (`SlowDown`, …), else the socket's (`ECONNREFUSED`, …), else the error's name. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  for (const field of ['Code', 'code', 'name'] as const) {
    const code: unknown = field in error ? (error as Record<string, unknown>)[field] : undefined;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata: unknown = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

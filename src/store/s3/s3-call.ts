/**
 * The one door to S3: every request goes through `callS3`, so that a failure always says which
 * operation on which object failed (the SDK's own errors name neither). Errors stay plain
 * `Error`s (not AppError): they are internal, and the API answers them as INTERNAL.
 */
import type { S3Client } from '@aws-sdk/client-s3';

/** The client and bucket a blob store talks to. */
export interface S3Target {
  client: S3Client;
  bucket: string;
}

/** A failed S3 request, with the SDK's error code and HTTP status when it had them. */
export class S3RequestError extends Error {
  override name = 'S3RequestError';

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

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = 'Code' in error ? error.Code : 'name' in error ? error.name : undefined;
  return typeof code === 'string' ? code : undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata: unknown = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

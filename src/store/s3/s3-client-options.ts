/**
 * S3Client settings from the standard AWS_* environment variables, passed in (only config.ts
 * reads process.env). A custom endpoint (MinIO, R2, s3rver, ...) turns on path-style addressing
 * and sends checksums only where S3 requires them, as most S3 clones reject or ignore the CRC
 * headers the SDK adds by default.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';

type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

/** S3ClientConfig for the AWS_* variables in `env`; unset ones fall back to the SDK's own chain. */
export function s3ClientOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): S3ClientConfig {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const endpoint = value('AWS_ENDPOINT_URL_S3') ?? value('AWS_ENDPOINT_URL');
  const region = value('AWS_REGION') ?? value('AWS_DEFAULT_REGION') ?? (endpoint === undefined ? undefined : 'us-east-1');
  const accessKeyId = value('AWS_ACCESS_KEY_ID');
  const secretAccessKey = value('AWS_SECRET_ACCESS_KEY');
  const sessionToken = value('AWS_SESSION_TOKEN');
  const options: S3ClientConfig = {};
  if (region !== undefined) options.region = region;
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    options.credentials = { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
  }
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^/]/.test(endpoint)) {
      throw new Error(`Invalid S3 endpoint "${endpoint}" (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL): expected http(s)://host[:port]`);
    }
    options.endpoint = endpoint;
    options.forcePathStyle = true;
  }
  const requestChecksums = checksumMode(value, 'AWS_REQUEST_CHECKSUM_CALCULATION');
  const responseChecksums = checksumMode(value, 'AWS_RESPONSE_CHECKSUM_VALIDATION');
  const fallback: ChecksumMode | undefined = endpoint === undefined ? undefined : 'WHEN_REQUIRED';
  const request = requestChecksums ?? fallback;
  const response = responseChecksums ?? fallback;
  if (request !== undefined) options.requestChecksumCalculation = request;
  if (response !== undefined) options.responseChecksumValidation = response;
  return options;
}

function checksumMode(value: (name: string) => string | undefined, name: string): ChecksumMode | undefined {
  const raw = value(name)?.toUpperCase();
  if (raw === undefined) return undefined;
  if (raw === 'WHEN_SUPPORTED' || raw === 'WHEN_REQUIRED') return raw;
  throw new Error(`Invalid ${name} "${raw}": expected WHEN_SUPPORTED or WHEN_REQUIRED`);
}

/**
 * Transport settings for batchmode's S3 clients, beside the environment's: a connection that
 * cannot be made (an endpoint that is down or drops packets) fails within seconds and the SDK
 * retries it, instead of waiting for the OS's connect timeout (minutes) with a shard's appends
 * queued behind it. There is deliberately no request or socket timeout: a download is read at
 * its client's pace, however slow.
 */
export const S3_REQUEST_HANDLER = { connectionTimeout: 5_000 } as const satisfies S3ClientConfig['requestHandler'];

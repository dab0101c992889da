/**
 * Test helper: an in-process fake S3 (s3rver) on a free port, backed by a temp directory, with
 * one bucket and an S3Client already pointed at it. Shared by the S3 BlobStore tests and the
 * scale-out end-to-end tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** A running fake S3 server; `close` stops it and removes its directory. */
export interface LocalS3 {
  /** e.g. `http://127.0.0.1:40123` */
  endpoint: string;
  bucket: string;
  /** A client for `endpoint` with s3rver's fixed credentials and path-style addressing. */
  client: S3Client;
  /** The settings `client` was made with, for tests that need a client of their own. */
  clientConfig: S3ClientConfig;
  /** Environment variables that point an S3 client (or a child process) at this server. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** s3rver's built-in account; it rejects any other signature. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Starts s3rver on 127.0.0.1 with a free port and a fresh temp directory holding `bucket`. */
export async function startLocalS3({ bucket = 'batchmode-test' }: { bucket?: string } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'batchmode-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const region = 'us-east-1';
  const clientConfig: S3ClientConfig = {
    endpoint,
    region,
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    // s3rver predates S3's default CRC checksums: it would store a streamed body's aws-chunked
    // framing as the object's bytes. Send and check checksums only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  const client = new S3Client(clientConfig);
  const env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_REGION: region,
  };
  let closed = false;
  return {
    endpoint,
    bucket,
    client,
    clientConfig,
    env,
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

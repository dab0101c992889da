/**
 * Test helper: an in-process fake S3 (s3rver) on a free port, backed by a temp directory, with
 * one bucket and an S3Client already pointed at it. Shared by the S3 BlobStore tests and the
 * scale-out end-to-end tests. For fault tests it can be stopped (an outage: connections cut,
 * the port refused) and started again on the same port and directory, objects intact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
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
  /** Whether the server is listening (between `stop` and `start` it is not). */
  readonly isRunning: boolean;
  /**
   * An outage: stops listening at once and cuts every connection after `graceMs` (default 200)
   * for the requests in flight to finish; new connections are refused until `start`.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Listens again on the same port, over the same directory (every object as it was). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** s3rver's built-in account; it rejects any other signature. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Starts s3rver on 127.0.0.1 with a free port and a fresh temp directory holding `bucket`. */
export async function startLocalS3({ bucket = 'batchmode-test' }: { bucket?: string } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'batchmode-s3rver-'));
  const launch = async (port: number): Promise<{ server: S3rver; port: number }> => {
    const server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      vhostBuckets: false,
      configureBuckets: [{ name: bucket }],
    });
    const address = await server.run();
    return { server, port: address.port };
  };
  const first = await launch(0);
  let running: S3rver | undefined = first.server;
  const { port } = first;
  const endpoint = `http://127.0.0.1:${port}`;
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
  const stop = async ({ graceMs = 200 }: { graceMs?: number } = {}): Promise<void> => {
    const server = running;
    if (server === undefined) return;
    running = undefined;
    const closed = server.close();
    const timer = setTimeout(() => server.httpServer?.closeAllConnections(), graceMs);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
    }
  };
  let closed = false;
  return {
    endpoint,
    bucket,
    client,
    clientConfig,
    env,
    get isRunning() {
      return running !== undefined;
    },
    stop,
    async start() {
      if (closed) throw new Error('this local S3 is closed');
      if (running !== undefined) return;
      await waitForFreePort(port);
      running = (await launch(port)).server;
    },
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Waits (up to 10 s) until 127.0.0.1:`port` can be listened on: while the server was down, an
 * outgoing connection of any process may have been given the port as its local one. (s3rver
 * itself cannot report a port in use: the error would go unheard.)
 */
async function waitForFreePort(port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return;
    if (attempt >= 40) throw new Error(`port ${port} stays in use: the local S3 cannot listen there again`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

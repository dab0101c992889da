/**
 * Part of the composition root: opens the store and blob store the configuration names.
 *
 * - Embedded (no `--database-url`): SQLite in the data directory, under its lock (one server
 *   process per directory); holding the lock, every shard lease in the file belonged to a dead
 *   process and is released at once.
 * - Scale-out (`--database-url`): PostgreSQL shared by many processes; no lock, and leases of
 *   dead workers lapse on their own.
 *
 * A worker thread of an embedded server (worker-threads.ts) opens the same SQLite file with a
 * connection of its own (`{ thread: true }`): the main thread holds the lock and has already let
 * go of a previous run's leases, so the thread does neither.
 *
 * File bytes go to `--blob-url` (S3-compatible) when given, else to the data directory.
 */
import { join } from 'node:path';
import type { Config } from '../config/settings.js';
import type { Logger } from '../lib/logger.js';
import type { BlobStore } from '../store/blob-store.js';
import { lockDataDir } from '../store/local/data-dir-lock.js';
import { createLocalBlobStore, localBlobRoot } from '../store/local/local-blob-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

export interface Storage {
  store: Store;
  blobs: BlobStore;
  /** One line for the start-up banner. */
  description: string;
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  /** Opened by a worker thread beside the main thread, which owns the data directory. */
  thread?: boolean;
}

export async function openStorage(config: Config, logger: Logger, options: OpenStorageOptions = {}): Promise<Storage> {
  const { blobs, blobDescription, closeBlobs } = await openBlobs(config);
  if (config.databaseUrl === undefined) {
    // The main thread owns the data directory; a worker thread beside it only opens the file.
    const unlock = options.thread ? () => undefined : lockDataDir(config.dataDir);
    const store = openSqliteStore(join(config.dataDir, 'batchmode.db'));
    if (!options.thread) {
      const released = await store.shards.releaseEveryLease();
      if (released > 0) logger.info('resuming shards of a previous run', { shards: released });
      // Likewise webhook deliveries a killed process was sending: they go out again, same webhook-id.
      const deliveries = await store.deliveries.releaseEveryLease();
      if (deliveries > 0) logger.info('resending webhook deliveries of a previous run', { deliveries });
    }
    return {
      store, blobs,
      description: `SQLite in ${config.dataDir}, ${blobDescription}`,
      async close() {
        await store.close();
        closeBlobs();
        unlock();
      },
    };
  }
  // Loaded only when configured: the embedded default does not pay for pg and the AWS SDK.
  const { openPostgresStore } = await import('../store/postgres/postgres-store.js');
  const store = await openPostgresStore({
    connectionString: config.databaseUrl,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
  });
  return {
    store, blobs,
    description: `PostgreSQL ${redactUrl(config.databaseUrl)}${config.databaseSchema ? ` (schema ${config.databaseSchema})` : ''}, ${blobDescription}`,
    async close() {
      await store.close();
      closeBlobs();
    },
  };
}

async function openBlobs(config: Config): Promise<{ blobs: BlobStore; blobDescription: string; closeBlobs: () => void }> {
  if (config.blobUrl === undefined) {
    return { blobs: createLocalBlobStore(localBlobRoot(config.dataDir)), blobDescription: `files in ${localBlobRoot(config.dataDir)}`, closeBlobs: () => undefined };
  }
  const [{ S3Client }, { createS3BlobStore, parseBlobUrl, s3ClientOptionsFromEnv, S3_REQUEST_HANDLER }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../store/s3/s3-blob-store.js'),
  ]);
  const { bucket, prefix } = parseBlobUrl(config.blobUrl);
  const client = new S3Client({ ...s3ClientOptionsFromEnv(config.awsEnv), requestHandler: S3_REQUEST_HANDLER });
  return {
    blobs: createS3BlobStore({ client, bucket, prefix }),
    blobDescription: `files in ${config.blobUrl}`,
    closeBlobs: () => client.destroy(),
  };
}

/** The URL without its password, for logs and banners. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

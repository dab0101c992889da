/**
 * The composition root: the only place concrete implementations are chosen. It opens the
 * store and blob store of the data directory, wires the services and routes, and starts the
 * HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from './api/app.js';
import { filesRoutes } from './api/files-routes.js';
import { healthRoutes } from './api/health-routes.js';
import { uploadRoutes } from './api/upload-routes.js';
import { loadOrCreateKey } from './auth/key-file.js';
import { createKeyRing } from './auth/key-ring.js';
import type { Config } from './config.js';
import { createFileService } from './files/file-service.js';
import { createUploadService } from './files/upload-service.js';
import { systemClock } from './lib/clock.js';
import { randomId } from './lib/ids.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createLocalBlobStore, localBlobRoot } from './store/local/local-blob-store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';

const HOUR_MS = 3_600_000;
const SWEEP_INTERVAL_MS = 60_000;
/** JSON request bodies (not uploads): room for a 20 MB inline batch with its framing. */
const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;

export interface RunningServer {
  /** Base URL the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** The API keys in force, and whether one was just generated for this data directory. */
  apiKeys: readonly string[];
  generatedKey: string | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningServer> {
  const store = openSqliteStore(join(config.dataDir, 'batchmode.db'));
  const blobs = createLocalBlobStore(localBlobRoot(config.dataDir));
  let generatedKey: string | undefined;
  let apiKeys = config.apiKeys;
  if (apiKeys.length === 0) {
    const stored = loadOrCreateKey(config.dataDir);
    apiKeys = [stored.apiKey];
    if (stored.created) generatedKey = stored.apiKey;
  }
  const keys = createKeyRing(apiKeys);

  const fileDeps = {
    store, blobs, clock: systemClock, randomId, logger,
    maxUploadBytes: config.maxUploadBytes, fileRetentionMs: config.fileRetentionHours * HOUR_MS,
  };
  const files = createFileService(fileDeps);
  const uploads = createUploadService(fileDeps);
  const routes = [
    ...healthRoutes({ ping: () => store.ping() }),
    ...uploadRoutes({ uploads, keys, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...filesRoutes({ files, uploads, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
  ];
  const server = createServer(createApp({ routes, keys, logger, publicUrl: config.publicUrl }));
  // Big uploads may take long in one request; idle connections still time out on headers.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  const sweep = (): void => {
    files.sweep(systemClock.now() - config.uploadIdleHours * HOUR_MS).catch((error: unknown) => {
      logger.error('retention sweep failed', { error });
    });
  };
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();
  sweep();

  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    port,
    apiKeys,
    generatedKey,
    async close() {
      clearInterval(sweeper);
      await closeServer(server, config.shutdownGraceSeconds * 1000);
      await store.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting; waits for open requests up to `graceMs`, then cuts the rest. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * The composition root: the only place concrete implementations are chosen. It opens the
 * store and blob store of the data directory, wires the services and routes, and starts the
 * HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { createApp } from './api/app.js';
import { batchesRoutes } from './api/batches-routes.js';
import { filesRoutes } from './api/files-routes.js';
import { healthRoutes } from './api/health-routes.js';
import { modelsRoutes } from './api/models-routes.js';
import { uploadRoutes } from './api/upload-routes.js';
import type { BackendRegistry } from './backends/registry.js';
import { composeRegistry } from './compose-registry.js';
import { loadOrCreateKey } from './auth/key-file.js';
import { createKeyRing } from './auth/key-ring.js';
import type { Config } from './config.js';
import { createFileService } from './files/file-service.js';
import { createUploadService } from './files/upload-service.js';
import { systemClock } from './lib/clock.js';
import { randomId } from './lib/ids.js';
import { createLogger, type Logger } from './lib/logger.js';
import { lockDataDir } from './store/local/data-dir-lock.js';
import { createLocalBlobStore, localBlobRoot } from './store/local/local-blob-store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { createBatchService } from './queue/batch-service.js';
import { abortableSleep } from './queue/call-backend.js';
import { createFileResolver } from './queue/file-resolver.js';
import { createInteractiveService } from './queue/interactive-service.js';
import { DEFAULT_RETRY_POLICY } from './queue/retry-policy.js';
import { createBatchSubmitter } from './queue/submit-batch.js';
import { createWorkerPool } from './queue/worker-pool.js';

const HOUR_MS = 3_600_000;
const SWEEP_INTERVAL_MS = 60_000;
/** JSON request bodies of interactive calls (uploads stream and are not limited by this). */
const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;
/** Gemini's limit on an inline batch create request. */
const MAX_INLINE_BATCH_BYTES = 20 * 1024 * 1024;
const WORKER_POLL_MS = 250;
const PROGRESS_INTERVAL_MS = 500;

export interface RunningServer {
  /** Base URL the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** The backends in force, for the start-up banner. */
  registry: BackendRegistry;
  /** One line per model route, for the start-up banner. */
  routes: string[];
  /** The API keys in force, and whether one was just generated for this data directory. */
  apiKeys: readonly string[];
  generatedKey: string | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningServer> {
  const unlock = lockDataDir(config.dataDir);
  const store = openSqliteStore(join(config.dataDir, 'batchmode.db'));
  // Holding the lock, every lease in this store belonged to a process that is gone.
  const released = await store.shards.releaseEveryLease();
  if (released > 0) logger.info('resuming shards of a previous run', { shards: released });
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
  const composed = composeRegistry(config);
  const { registry } = composed;
  const workers = createWorkerPool({
    store, blobs, registry, clock: systemClock, logger,
    owner: `${hostname()}:${process.pid}:${randomId(6)}`,
    leaseMs: config.leaseSeconds * 1000,
    progressIntervalMs: PROGRESS_INTERVAL_MS,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.maxAttempts },
    sleep: abortableSleep,
    fileRetentionMs: fileDeps.fileRetentionMs,
    concurrency: config.workerConcurrency,
    maxActiveShards: 4,
    pollMs: WORKER_POLL_MS,
  });
  const submit = createBatchSubmitter({
    store, blobs, registry, clock: systemClock, randomId, shardSize: config.shardSize,
    completionWindowMs: config.completionWindowHours * HOUR_MS,
  });
  const batches = createBatchService({
    store, blobs, clock: systemClock, submit, notify: workers, sleep: abortableSleep,
    pricingOf: (model) => registry.resolve(model)?.pricing,
    ...(config.workers ? { workers: workers.status } : {}),
  });
  const routes = [
    ...healthRoutes({ ping: () => store.ping() }),
    ...uploadRoutes({ uploads, keys, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...filesRoutes({ files, uploads, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...batchesRoutes({ batches, maxInlineBytes: MAX_INLINE_BATCH_BYTES, stateNames: config.stateNames }),
    ...modelsRoutes({
      models: createInteractiveService(registry, (tenantId) => createFileResolver(store, blobs, tenantId, () => systemClock.now())),
      maxJsonBodyBytes: MAX_JSON_BODY_BYTES,
    }),
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
  if (config.workers) workers.start();
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    port,
    apiKeys,
    generatedKey,
    registry,
    routes: composed.describe(),
    async close() {
      clearInterval(sweeper);
      await Promise.all([closeServer(server, config.shutdownGraceSeconds * 1000), workers.stop(config.shutdownGraceSeconds * 1000)]);
      await store.close();
      await composed.close();
      unlock();
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

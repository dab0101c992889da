/**
 * The composition root of `batchmode serve`: opens the storage (open-storage.ts), creates the
 * batch engine (configure-engine.ts), wires the file services and routes (the native Gemini API's
 * and the OpenAI-compatible surface's, on the same services), starts the HTTP server
 * and, unless `--workers=false`, this process's batch workers (with `--worker-threads` N > 1, each
 * on a thread of its own: worker-threads.ts). Everything reports to this
 * process's metrics (`GET /metrics`) and lifecycle log through one EngineEvents (observe-engine.ts).
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app.js';
import { batchesRoutes } from '../api/batches-routes.js';
import { cachedContentsRoutes } from '../api/cached-contents-routes.js';
import { dashboardRoutes } from '../api/dashboard-routes.js';
import { filesRoutes } from '../api/files-routes.js';
import { healthRoutes } from '../api/health-routes.js';
import { metricsRoutes } from '../api/metrics-routes.js';
import { createHttpServer } from '../api/http-server.js';
import { modelsRoutes } from '../api/models-routes.js';
import { openAIBatchesRoutes } from '../api/openai/batches-routes.js';
import { openAIFilesRoutes } from '../api/openai/files-routes.js';
import { openAIInteractiveRoutes } from '../api/openai/interactive-routes.js';
import { uploadRoutes } from '../api/upload-routes.js';
import { webhooksRoutes } from '../api/webhooks-routes.js';
import { workersRoutes } from '../api/workers-routes.js';
import { quotaRoutes } from '../api/quota-routes.js';
import type { BackendRegistry } from '../backends/registry.js';
import { composeRegistry } from './compose-backends.js';
import { loadOrCreateKey } from '../auth/key-file.js';
import { createKeyRing } from '../auth/key-ring.js';
import { ConfigError, type Config } from '../config/settings.js';
import { createFileServices } from '../files/index.js';
import { createCacheService } from '../caches/index.js';
import { systemClock } from '../lib/clock.js';
import { randomId } from '../lib/ids.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createFileResolver } from '../files/file-resolver.js';
import { createInteractiveService } from '../models/index.js';
import { configureEngine } from './configure-engine.js';
import { openStorage } from './open-storage.js';
import { closeServer, listen } from './http-listen.js';
import { observeEngine } from './observe-engine.js';
import { createWorkerThreads } from './worker-threads.js';
import { checkWebhookUri, createWebhookService, ensureSigningKey } from '../webhooks/index.js';

const HOUR_MS = 3_600_000;
const SWEEP_INTERVAL_MS = 60_000;
/** JSON request bodies of interactive calls (uploads stream and are not limited by this). */
const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;
/** Gemini's limit on an inline batch create request. */
const MAX_INLINE_BATCH_BYTES = 20 * 1024 * 1024;

export interface RunningServer {
  /** Base URL the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** The backends in force, for the start-up banner. */
  registry: BackendRegistry;
  /** One line per model route, for the start-up banner. */
  routes: string[];
  /** Where metadata and file bytes live, for the start-up banner. */
  storage: string;
  /** The API keys in force, and whether one was just generated for this data directory. */
  apiKeys: readonly string[];
  generatedKey: string | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningServer> {
  if (config.databaseUrl !== undefined && config.apiKeys.length === 0) {
    throw new ConfigError('--api-keys / BATCHMODE_API_KEYS is required with --database-url: every API process must accept the same keys.');
  }
  const storage = await openStorage(config, logger);
  const { store, blobs } = storage;
  // Metrics and the lifecycle log: every part below reports to `events`.
  const observers = observeEngine(store, logger);
  const { events } = observers;
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
    maxUploadBytes: config.maxUploadBytes, fileRetentionMs: config.fileRetentionHours * HOUR_MS, events,
    quotas: config.quotas,
  };
  const { files, uploads } = createFileServices(fileDeps);
  const composed = composeRegistry(config);
  const { registry } = composed;
  // `--worker-threads N` (N > 1): the N workers each on a thread of its own (worker-threads.ts),
  // the main thread left to the API; otherwise the one worker runs here.
  const threads = config.workers && config.workerThreads > 1
    ? createWorkerThreads({ config, count: config.workerThreads, events, logger, store })
    : undefined;
  const workersHere = config.workers && threads === undefined;
  const engine = configureEngine({
    config, store, blobs, registry, logger, role: 'serve', events, runsWorkers: workersHere, ...(threads ? { peers: threads } : {}),
  });
  if (workersHere) observers.watchWorkers(engine);
  const { batches, directory } = engine;
  // The key pair that signs per-batch webhook deliveries exists before anything can be sent or asked for.
  await ensureSigningKey(store, systemClock);
  const webhooks = createWebhookService({
    store, clock: systemClock, randomId, destinationPolicy: config.webhookDestinations,
    retryWindowMs: config.webhookRetryHours * HOUR_MS,
  });
  const caches = createCacheService({ store, registry, clock: systemClock, randomId, logger });
  const models = createInteractiveService(
    registry, (tenantId) => createFileResolver(store, blobs, tenantId, () => systemClock.now()), (tenantId, name) => caches.resolve(tenantId, name),
  );
  const routes = [
    // The OpenAI-compatible surface (/v1beta/openai/ and /v1/) on the same services; see api/router.ts.
    ...openAIFilesRoutes({ files, uploads, fileRecords: store.files, clock: systemClock }),
    ...openAIBatchesRoutes({ batches, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...openAIInteractiveRoutes({ models, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...healthRoutes({ ping: () => store.ping() }),
    ...metricsRoutes({ scrape: () => observers.metrics.scrape(), token: config.metricsToken }),
    ...uploadRoutes({ uploads, keys, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...filesRoutes({ files, uploads, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...batchesRoutes({
      batches, maxInlineBytes: MAX_INLINE_BATCH_BYTES, stateNames: config.stateNames,
      checkWebhookUri: (uri, field) => checkWebhookUri(uri, config.webhookDestinations, field),
    }),
    ...webhooksRoutes({ webhooks }),
    ...workersRoutes({ directory }),
    ...quotaRoutes({ quotas: config.quotas, usage: store.quotaUsage, maxUploadBytes: config.maxUploadBytes }),
    ...modelsRoutes({ models, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    ...cachedContentsRoutes({ caches, maxJsonBodyBytes: MAX_JSON_BODY_BYTES }),
    // The web dashboard: `/` and `/dashboard/…`, static and public (its API calls carry the key).
    ...dashboardRoutes(),
  ];
  // Limits, timeouts and answers to unparseable requests: api/http-server.ts.
  const server = createHttpServer(createApp({ routes, keys, logger, publicUrl: config.publicUrl, events }), logger);

  const sweep = (): void => {
    files.sweep(systemClock.now() - config.uploadIdleHours * HOUR_MS).catch((error: unknown) => {
      logger.error('retention sweep failed', { error });
    });
    caches.sweep().catch((error: unknown) => {
      logger.error('cached contents sweep failed', { error });
    });
  };
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();
  sweep();

  let closing: Promise<void> | undefined;
  /** Idempotent: a second call waits for the first. */
  const close = (): Promise<void> => (closing ??= shutDown());
  const shutDown = async (): Promise<void> => {
    clearInterval(sweeper);
    const graceMs = config.shutdownGraceSeconds * 1000;
    await Promise.all([
      closeServer(server, graceMs),
      workersHere ? engine.stopWorkers(graceMs) : Promise.resolve(),
      threads?.close(graceMs),
      engine.webhooks.stop(),
    ]);
    observers.close();
    await storage.close();
    await registry.close();
  };
  await listen(server, config.port, config.host);
  if (workersHere) await engine.startWorkers();
  // Every process delivers webhook events, with or without workers.
  engine.webhooks.start();
  try {
    await threads?.start();
  } catch (error) {
    await close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    port,
    apiKeys,
    generatedKey,
    registry,
    routes: composed.describe(),
    storage: storage.description,
    close,
  };
}

/**
 * The composition root of `batchmode worker`: batch workers only, no HTTP API. It shares the
 * PostgreSQL store (and the blob store) with the API processes; shards are handed out by
 * leases in the database, so any number of these may run on any number of machines. Its engine
 * reports to this process's metrics and lifecycle log (observe-engine.ts), and with
 * `--worker-threads N` (N > 1) runs its N workers each on a thread of its own (worker-threads.ts); with
 * `--metrics-port` a small server (metrics-server.ts) serves `/metrics`, `/healthz`, `/readyz`.
 */
import { composeRegistry } from './compose-backends.js';
import { ConfigError, type Config } from '../config/settings.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { openStorage } from './open-storage.js';
import { configureEngine } from './configure-engine.js';
import { systemClock } from '../lib/clock.js';
import { ensureSigningKey } from '../webhooks/index.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { observeEngine } from './observe-engine.js';
import { createWorkerThreads } from './worker-threads.js';

export interface RunningWorker {
  /** The id its shard leases and heartbeat carry (with worker threads, theirs, comma-separated). */
  id: string;
  /** Where metadata and file bytes live, for the start-up banner. */
  storage: string;
  /** One line per model route, for the start-up banner. */
  routes: string[];
  /** Where `/metrics` is served (`--metrics-port`), if it is. */
  metricsUrl: string | undefined;
  /** Lets in-flight requests finish (up to the grace period), gives its shards back, closes. */
  close(): Promise<void>;
}

export async function startWorker(config: Config, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningWorker> {
  if (config.databaseUrl === undefined) {
    throw new ConfigError('batchmode worker needs --database-url / BATCHMODE_DATABASE_URL: separate worker processes share a PostgreSQL store (the embedded server runs its own workers).');
  }
  const storage = await openStorage(config, logger);
  const composed = composeRegistry(config);
  const observers = observeEngine(storage.store, logger);
  const { events } = observers;
  // `--worker-threads N` (N > 1): the N workers each on a thread of its own (worker-threads.ts).
  const threads = config.workerThreads > 1
    ? createWorkerThreads({ config, count: config.workerThreads, events, logger, store: storage.store })
    : undefined;
  const engine = configureEngine({
    ...storage, config, registry: composed.registry, logger, role: 'worker', events, runsWorkers: threads === undefined, ...(threads ? { peers: threads } : {}),
  });
  if (!threads) observers.watchWorkers(engine);
  let metricsServer: MetricsServer | undefined;
  try {
    await ensureSigningKey(storage.store, systemClock);
    if (config.metricsPort !== undefined) {
      metricsServer = await startMetricsServer({
        host: config.host, port: config.metricsPort, token: config.metricsToken, metrics: observers.metrics, store: storage.store, logger, events,
      });
    }
  } catch (error) {
    await storage.close();
    await composed.registry.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  /** Idempotent: a second call waits for the first. */
  const close = (): Promise<void> => (closing ??= shutDown());
  const shutDown = async (): Promise<void> => {
    const graceMs = config.shutdownGraceSeconds * 1000;
    await Promise.all([threads ? Promise.resolve() : engine.stopWorkers(graceMs), threads?.close(graceMs), engine.webhooks.stop(), metricsServer?.close()]);
    observers.close();
    await storage.close();
    await composed.registry.close();
  };
  if (!threads) await engine.startWorkers();
  engine.webhooks.start();
  try {
    await threads?.start();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    id: threads ? threads.workerIds().join(',') : engine.workerId,
    storage: storage.description,
    routes: composed.describe(),
    metricsUrl: metricsServer && `${metricsServer.url}/metrics`,
    close,
  };
}

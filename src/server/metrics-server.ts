/**
 * The small HTTP server of a `batchmode worker` started with `--metrics-port`: `/metrics` (as
 * on the API, with the same optional token), `/healthz` and `/readyz` (the API's health routes:
 * readiness pings the store). It is the API's app and node:http server with only these routes,
 * so limits, request ids and error answers are the API's; any other path is a 404.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app.js';
import { healthRoutes } from '../api/health-routes.js';
import { createHttpServer } from '../api/http-server.js';
import { metricsRoutes } from '../api/metrics-routes.js';
import { createKeyRing } from '../auth/key-ring.js';
import type { EngineEvents } from '../core/engine-events.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../observability/metrics/metrics.js';
import type { Store } from '../store/store.js';
import { closeServer, listen, urlOf } from './http-listen.js';

export interface MetricsServerOptions {
  host: string;
  /** 0 for any free port (the bound one is in `url`). */
  port: number;
  token: string | undefined;
  metrics: Metrics;
  store: Pick<Store, 'ping'>;
  logger: Logger;
  events: EngineEvents;
}

export interface MetricsServer {
  /** `http://host:port` (the metrics are at `${url}/metrics`). */
  url: string;
  close(): Promise<void>;
}

/** How long open scrapes may finish at shutdown. */
const CLOSE_GRACE_MS = 1_000;

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const routes = [
    ...healthRoutes({ ping: () => options.store.ping() }),
    ...metricsRoutes({ scrape: () => options.metrics.scrape(), token: options.token }),
  ];
  // No route here takes an API key: the key ring is empty.
  const app = createApp({ routes, keys: createKeyRing([]), logger: options.logger, publicUrl: undefined, events: options.events });
  const server = createHttpServer(app, options.logger);
  await listen(server, options.port, options.host);
  return {
    url: urlOf(options.host, (server.address() as AddressInfo).port),
    close: () => closeServer(server, CLOSE_GRACE_MS),
  };
}

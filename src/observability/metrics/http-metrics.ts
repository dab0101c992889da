/**
 * HTTP metrics, from the `httpRequest` event the API's front emits once per answered request:
 * a counter by route template, method and status, and a latency histogram by route and method.
 * The route is the matched route's template (`/v1beta/batches/{id}`), never the path.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineEventListener } from '../../core/engine-events.js';
import { methodLabel, type BoundedLabel } from './bounded-label.js';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function registerHttpMetrics(registry: Registry, routeLabel: BoundedLabel): EngineEventListener {
  const requests = new Counter({
    name: 'batchmode_http_requests_total', help: 'HTTP requests answered, by route template, method and status code.',
    labelNames: ['route', 'method', 'status'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'batchmode_http_request_duration_seconds', help: 'Time from a request arriving to its answer being sent, by route template and method.',
    labelNames: ['route', 'method'] as const, buckets: SECONDS_BUCKETS, registers: [registry],
  });
  return {
    httpRequest({ route, method, status, durationMs }) {
      const labels = { route: routeLabel(route), method: methodLabel(method) };
      requests.inc({ ...labels, status: String(status) });
      duration.observe(labels, durationMs / 1000);
    },
  };
}

/**
 * `GET /metrics`: this process's metrics in the Prometheus text format, for a scraper. It needs
 * no API key (a scraper has none, and the metrics name no tenant); with `--metrics-token` set it
 * needs `Authorization: Bearer <token>` instead, and answers 401 without it. The token is
 * compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Route } from './router.js';

export interface MetricsRoutesDeps {
  /** The metrics now, and their content type (observability/metrics/metrics.ts). */
  scrape(): Promise<{ contentType: string; body: string }>;
  /** When set, the Bearer token a scrape must carry. */
  token?: string | undefined;
}

export function metricsRoutes(deps: MetricsRoutesDeps): Route[] {
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  return [
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/metrics$/,
      template: '/metrics',
      isPublic: true,
      handler: async ({ request, response }) => {
        if (expected && !carriesToken(request.headers.authorization, expected)) {
          throw new AppError('UNAUTHENTICATED', 'The metrics need Authorization: Bearer <the metrics token>.', {
            headers: { 'www-authenticate': 'Bearer realm="batchmode metrics"' },
          });
        }
        const { contentType, body } = await deps.scrape();
        response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
    },
  ];
}

/** Whether `Authorization` is `Bearer <token>` with the expected token (hashes compared: equal lengths, constant time). */
function carriesToken(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

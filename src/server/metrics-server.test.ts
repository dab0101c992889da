/**
 * The workers' metrics server (and with it the `/metrics` route of every API process): the
 * Prometheus text with its content type, `/healthz` and `/readyz` (the API's, on a real SQLite
 * store: a closed store is not ready), 404 for anything else, and `--metrics-token`: a scrape
 * without `Authorization: Bearer <token>`, or with another token, is a 401 that says why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import { createMetrics } from '../observability/metrics/metrics.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const TOKEN = 'scrape-token-0123456789';

async function serve(token: string | undefined): Promise<{ server: MetricsServer; close(): Promise<void> }> {
  const store = openSqliteStore(':memory:');
  const metrics = createMetrics({ store: { store, clock: systemClock }, processMetrics: false });
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, token, metrics, store, logger: silentLogger, events: metrics.listener });
  return {
    server,
    async close() {
      await server.close();
      await store.close();
    },
  };
}

describe('metrics server without a token', () => {
  let running: Awaited<ReturnType<typeof serve>>;
  before(async () => (running = await serve(undefined)));
  after(() => running.close());

  test('/metrics answers the Prometheus text format, counting its own scrapes by route template', async () => {
    const base = running.server.url;
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${base}/metrics`)).status, 200);
    const answer = await fetch(`${base}/metrics`);
    assert.equal(answer.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await answer.text();
    assert.match(body, /^# TYPE batchmode_backend_calls_total counter$/m);
    assert.match(body, /^batchmode_http_requests_total\{route="\/metrics",method="GET",status="200"\} 1$/m);
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  test('/healthz and /readyz answer; other paths are 404', async () => {
    const base = running.server.url;
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: 'ready' });
    assert.equal((await fetch(`${base}/v1beta/batches`)).status, 404);
  });
});

describe('metrics server with a token', () => {
  let running: Awaited<ReturnType<typeof serve>>;
  before(async () => (running = await serve(TOKEN)));
  after(() => running.close());

  test('a scrape needs Authorization: Bearer <token>', async () => {
    const url = `${running.server.url}/metrics`;
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, TOKEN]) {
      const answer = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
      assert.equal(answer.status, 401, `Authorization: ${authorization}`);
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
      const { error } = (await answer.json()) as { error: { status: string; message: string } };
      assert.equal(error.status, 'UNAUTHENTICATED');
      assert.match(error.message, /metrics token/);
    }
    const answer = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /batchmode_http_requests_total\{route="\/metrics",method="GET",status="401"\} 4/);
    assert.equal((await fetch(`${running.server.url}/healthz`)).status, 200, 'health needs no token');
  });
});

/**
 * The metrics of one process: engine events become counters and histograms with bounded labels
 * (model names, route templates, states; never an id, a tenant or a key), the store's counts
 * and the workers' limiters are read at scrape time (a real SQLite store and a real limiter),
 * a store that fails does not fail the scrape, and several registries live in one process.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Registry } from 'prom-client';
import { systemClock } from '../../lib/clock.js';
import { Semaphore } from '../../lib/semaphore.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { makeBatch, makeShards } from '../../store/store.contract.js';
import { createModelLimiter } from '../../worker/model-limiter.js';
import { OTHER_LABEL_VALUE } from './bounded-label.js';
import { createMetrics, MAX_LABEL_VALUES, type Metrics } from './metrics.js';

type Labels = Record<string, string | number>;

/** Each series of a metric now, as [labels, value]. */
async function series(registry: Registry, name: string): Promise<[Labels, number][]> {
  // A histogram's series (`_sum`, `_count`, `_bucket`) are values of the histogram itself.
  const base = name.replace(/_(sum|count|bucket)$/, '');
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(base);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  return values
    .filter((value) => (value as { metricName?: string }).metricName === undefined || (value as { metricName?: string }).metricName === name)
    .map((value) => [value.labels as Labels, value.value]);
}

async function valueOf(registry: Registry, name: string, labels: Labels = {}): Promise<number | undefined> {
  const found = (await series(registry, name)).find(([seen]) => Object.entries(labels).every(([key, value]) => seen[key] === value) && Object.keys(seen).length === Object.keys(labels).length + (name.endsWith('_bucket') ? 1 : 0));
  return found?.[1];
}

function withMetrics(body: (metrics: Metrics, store: ReturnType<typeof openSqliteStore>) => Promise<void>): () => Promise<void> {
  return async () => {
    const store = openSqliteStore(':memory:');
    try {
      await body(createMetrics({ store: { store, clock: systemClock }, processMetrics: false }), store);
    } finally {
      await store.close();
    }
  };
}

const IDS = { batch: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8', tenant: 'c0ffee00tenant0000000000', request: '6f1d7a8e-request-id', key: 'AIzaSecretKeyValue' };

describe('metrics from engine events', () => {
  test('every event kind moves its metrics, and no label value is an id, a tenant or a key', withMetrics(async ({ listener, registry, scrape }) => {
    const batch = { tenantId: IDS.tenant, batchId: IDS.batch, model: 'gemini-2.5-flash' };
    listener.httpRequest?.({ route: '/v1beta/batches/{batchId}', method: 'GET', status: 200, durationMs: 12, requestId: IDS.request });
    listener.httpRequest?.({ route: 'unmatched', method: 'BREW', status: 404, durationMs: 1, requestId: IDS.key });
    listener.batchCreated?.({ ...batch, kind: 'generate', surface: 'native', requestCount: 3, priority: 0, state: 'BATCH_STATE_PENDING' });
    listener.batchStarted?.({ ...batch, queuedMs: 1_500 });
    listener.shardClaimed?.({ batchId: IDS.batch, model: batch.model, shardIndex: 0, takeover: false });
    listener.shardClaimed?.({ batchId: IDS.batch, model: batch.model, shardIndex: 1, takeover: true });
    listener.backendCall?.({ model: batch.model, batchId: IDS.batch, outcome: 'retryable', status: 'RESOURCE_EXHAUSTED', latencyMs: 20, attempt: 1, retryInMs: 2_000, retryAfter: true, message: IDS.key });
    listener.backendCall?.({ model: batch.model, batchId: IDS.batch, outcome: 'retryable', status: 'UNAVAILABLE', latencyMs: 20, attempt: 2, retryInMs: 700, retryAfter: false });
    listener.backendCall?.({ model: batch.model, batchId: IDS.batch, outcome: 'ok', latencyMs: 250, attempt: 3 });
    listener.backendCall?.({ model: batch.model, batchId: IDS.batch, outcome: 'failed', status: 'INVALID_ARGUMENT', latencyMs: 5, attempt: 1 });
    listener.uploadBytes?.({ tenantId: IDS.tenant, bytes: 1_000 });
    listener.uploadBytes?.({ tenantId: IDS.tenant, bytes: 24 });
    listener.batchStopRequested?.({ ...batch, stopState: 'BATCH_STATE_CANCELLED', reason: IDS.key });
    listener.batchFinished?.({
      ...batch, state: 'BATCH_STATE_CANCELLED', requestCount: 3, succeeded: 2, failed: 1, durationMs: 60_000, finalizeMs: 40,
      usage: { promptTokenCount: 10, candidatesTokenCount: 20, thoughtsTokenCount: 0, cachedContentTokenCount: 0, totalTokenCount: 30 },
    });

    const model = 'gemini-2.5-flash';
    assert.equal(await valueOf(registry, 'batchmode_http_requests_total', { route: '/v1beta/batches/{batchId}', method: 'GET', status: '200' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_http_requests_total', { route: 'unmatched', method: 'OTHER', status: '404' }), 1, 'an unknown method is OTHER');
    assert.equal(await valueOf(registry, 'batchmode_batches_created_total', { model, surface: 'native' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_batch_queue_seconds_sum', { model }), 1.5);
    assert.equal(await valueOf(registry, 'batchmode_shard_claims_total', { model }), 2);
    assert.equal(await valueOf(registry, 'batchmode_shard_takeovers_total', { model }), 1);
    assert.equal(await valueOf(registry, 'batchmode_backend_calls_total', { model, outcome: 'retryable' }), 2);
    assert.equal(await valueOf(registry, 'batchmode_backend_calls_total', { model, outcome: 'ok' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_backend_calls_total', { model, outcome: 'failed' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_backend_call_duration_seconds_count', { model, outcome: 'ok' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_backend_retries_total', { model, status: 'RESOURCE_EXHAUSTED' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_backend_retry_wait_seconds_sum', { model, source: 'retry_after' }), 2);
    assert.equal(await valueOf(registry, 'batchmode_backend_retry_wait_seconds_sum', { model, source: 'backoff' }), 0.7);
    assert.equal(await valueOf(registry, 'batchmode_upload_bytes_total'), 1_024);
    assert.equal(await valueOf(registry, 'batchmode_batch_stop_requests_total', { model, state: 'CANCELLED' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_batches_finished_total', { model, state: 'CANCELLED' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_batch_duration_seconds_sum', { model }), 60);
    assert.equal(await valueOf(registry, 'batchmode_batch_finalize_duration_seconds_sum'), 0.04);
    assert.equal(await valueOf(registry, 'batchmode_batch_requests_total', { model, result: 'failed' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_batch_tokens_total', { model, kind: 'candidates' }), 20);

    const { body, contentType } = await scrape();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    for (const secret of Object.values(IDS)) assert.ok(!body.includes(secret), `the scrape names ${secret}`);
    for (const name of body.matchAll(/^(\w+)[{ ]/gm)) assert.match(name[1] ?? '', /^batchmode_/, 'every metric here is batchmode_…');
  }));

  test('model names past MAX_LABEL_VALUES distinct ones show as _other', withMetrics(async ({ listener, registry }) => {
    for (let index = 0; index < MAX_LABEL_VALUES + 50; index++) listener.shardClaimed?.({ batchId: `b${index}`, model: `gemini-x-${index}`, shardIndex: 0, takeover: false });
    const claims = await series(registry, 'batchmode_shard_claims_total');
    assert.equal(claims.length, MAX_LABEL_VALUES + 1);
    assert.equal(claims.find(([labels]) => labels.model === OTHER_LABEL_VALUE)?.[1], 50);
  }));
});

describe('metrics read at scrape time', () => {
  test('batches by state and requests pending and running per model come from the store', withMetrics(async ({ registry }, store) => {
    await store.batches.create(makeBatch({ id: 'a', requestCount: 4 }), makeShards('a', 2));
    await store.batches.create(makeBatch({ id: 'b', tenantId: 't2', model: 'gemini-2.5-pro', requestCount: 2 }), makeShards('b', 1));
    const now = systemClock.now();
    assert.equal((await store.shards.claim('w1', now, now + 60_000))?.batch.id, 'a');
    assert.equal(await valueOf(registry, 'batchmode_batches', { state: 'RUNNING' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_batches', { state: 'PENDING' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_batches', { state: 'SUCCEEDED' }), 0, 'every state is shown');
    assert.equal(await valueOf(registry, 'batchmode_requests_running', { model: 'gemini-2.5-flash' }), 2);
    assert.equal(await valueOf(registry, 'batchmode_requests_pending', { model: 'gemini-2.5-flash' }), 2);
    assert.equal(await valueOf(registry, 'batchmode_requests_pending', { model: 'gemini-2.5-pro' }), 2);
    assert.equal(registry.getSingleMetric('batchmode_pg_pool_connections'), undefined, 'SQLite has no pool');
  }));

  test('a store that fails leaves the gauges as they were and counts the error; the scrape still answers', async () => {
    const store = openSqliteStore(':memory:');
    const errors: unknown[] = [];
    let nowMs = 1_000_000;
    const clock = { now: () => nowMs };
    const { registry, scrape } = createMetrics({ store: { store, clock, onError: (error) => errors.push(error) }, processMetrics: false });
    await store.batches.create(makeBatch({ id: 'a' }), makeShards('a', 1));
    assert.equal(await valueOf(registry, 'batchmode_batches', { state: 'PENDING' }), 1);
    assert.match((await scrape()).body, /^batchmode_metrics_store_errors_total 0$/m);
    await store.close();
    nowMs += 1_000; // past the reuse of the last answers
    const { body } = await scrape();
    assert.match(body, /^batchmode_batches\{state="PENDING"\} 1$/m);
    assert.match(body, /^batchmode_metrics_store_errors_total [1-9]/m);
    assert.ok(errors.length >= 1);
  });

  test("the workers' limiters and slots", withMetrics(async ({ registry, watchWorkers }) => {
    const limiter = createModelLimiter({ maxConcurrency: 2 });
    const slots = new Semaphore(8);
    watchWorkers({ limiterSnapshots: () => [{ route: 'gemini-*', limiter: limiter.snapshot() }], slots, clock: systemClock });
    const abort = new AbortController();
    const { signal } = abort;
    const permits = [await limiter.acquire(0, signal), await limiter.acquire(0, signal)];
    const waiting = limiter.acquire(0, signal);
    await slots.acquire(signal);
    assert.equal(await valueOf(registry, 'batchmode_model_concurrency_limit', { route: 'gemini-*' }), 2);
    assert.equal(await valueOf(registry, 'batchmode_model_in_flight', { route: 'gemini-*' }), 2);
    assert.equal(await valueOf(registry, 'batchmode_model_waiting', { route: 'gemini-*' }), 1);
    assert.equal(await valueOf(registry, 'batchmode_model_rate_limited', { route: 'gemini-*' }), 0);
    assert.equal(await valueOf(registry, 'batchmode_worker_requests_in_flight'), 1);
    assert.equal(await valueOf(registry, 'batchmode_worker_concurrency'), 8);
    permits[0]?.release({ throttled: true, retryAfterMs: 60_000 });
    assert.equal(await valueOf(registry, 'batchmode_model_concurrency_limit', { route: 'gemini-*' }), 1, 'halved by the throttle');
    assert.equal(await valueOf(registry, 'batchmode_model_rate_limited', { route: 'gemini-*' }), 1, 'paused by the Retry-After');
    permits[1]?.release({});
    slots.release();
    // The waiter would wait out the Retry-After pause: it leaves instead.
    abort.abort(new Error('done'));
    await assert.rejects(waiting);
  }));

  test('several registries with process metrics live in one process', async () => {
    const stores = [openSqliteStore(':memory:'), openSqliteStore(':memory:')];
    try {
      const bodies = await Promise.all(stores.map(async (store) => (await createMetrics({ store: { store, clock: systemClock } }).scrape()).body));
      for (const body of bodies) {
        assert.match(body, /^process_cpu_user_seconds_total /m);
        assert.match(body, /^nodejs_eventloop_lag_seconds /m);
        assert.match(body, /^batchmode_build_info\{version="[^"]+"\} 1$/m);
      }
    } finally {
      for (const store of stores) await store.close();
    }
  });
});

/**
 * Prometheus metrics of real processes, scraped over HTTP as Prometheus would:
 *
 * - `batchmode serve` (embedded, SQLite) with `--metrics-token`: a file uploaded with the
 *   resumable protocol and a small batch on it, one request answered 429 with a Retry-After of 1 s once
 *   (a scripted fault of the simulated model); the scrape shows the upload's bytes, the batch
 *   created, started and SUCCEEDED, its backend calls by outcome, the retry and its Retry-After
 *   wait, the shards claimed, the requests finished and HTTP requests by route template; no label
 *   value names the batch, the file, the upload or the key; a scrape without the token is a 401.
 * - `batchmode worker --metrics-port 0` on PostgreSQL + S3 beside an API process without
 *   workers: the worker prints where its metrics are, serves `/metrics`, `/healthz` and
 *   `/readyz`, counts the backend calls of a batch it ran and shows its PostgreSQL pool.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'metrics-e2e-key';
const TOKEN = 'metrics-e2e-token-0123456789';
const MODEL = 'gemini-2.5-flash';
const BUSY_FAULT = JSON.stringify([{ match: 'busy', error: 'RESOURCE_EXHAUSTED', httpStatus: 429, retryAfterSeconds: 1, attempts: 1 }]);

/** One sample's value from a scrape, by metric name and exact labels (in any order). */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const seen = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair): [string, string] => [pair[1] ?? '', pair[2] ?? '']));
    if (seen.size === Object.keys(labels).length && Object.entries(labels).every(([key, value]) => seen.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

/** Every label value of a scrape. */
const labelValues = (body: string): string[] => [...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => pair[2] ?? '');

async function scrape(url: string, token?: string): Promise<string> {
  const answer = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  assert.equal(answer.status, 200, await answer.clone().text());
  assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return answer.text();
}

/** Uploads `text` with the resumable protocol (start, then one upload-and-finalize chunk); the file's name and the upload URL. */
async function upload(base: string, text: string): Promise<{ fileName: string; uploadUrl: string }> {
  const started = await fetch(`${base}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-length': String(Buffer.byteLength(text)), 'content-type': 'application/json',
    },
    body: JSON.stringify({ file: { displayName: 'metrics-input' } }),
  });
  assert.equal(started.status, 200);
  const uploadUrl = started.headers.get('x-goog-upload-url') ?? '';
  const finished = await fetch(uploadUrl, { method: 'POST', headers: { 'x-goog-upload-offset': '0', 'x-goog-upload-command': 'upload, finalize' }, body: text });
  assert.equal(finished.status, 200, await finished.clone().text());
  return { fileName: ((await finished.json()) as { file: { name: string } }).file.name, uploadUrl };
}

/** Creates a batch on `fileName` and waits until it ends; its id. */
async function runBatch(base: string, fileName: string): Promise<string> {
  const created = await fetch(`${base}/v1beta/models/${MODEL}:batchGenerateContent`, {
    method: 'POST', headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: { displayName: 'metrics', inputConfig: { fileName } } }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const name = ((await created.json()) as { name: string }).name;
  const batch = await pollUntil(
    async () => (await (await fetch(`${base}/v1beta/${name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as { metadata: { state: string } },
    (operation) => operation.metadata.state !== 'BATCH_STATE_PENDING' && operation.metadata.state !== 'BATCH_STATE_RUNNING',
    30_000,
  );
  assert.equal(batch.metadata.state, 'BATCH_STATE_SUCCEEDED');
  return name.replace(/^batches\//, '');
}

const INPUT = ['one', 'busy two', 'three', 'four'].map((text, i) => JSON.stringify({ key: `line-${i}`, request: { contents: [{ parts: [{ text }] }] } })).join('\n') + '\n';

describe('metrics: batchmode serve', () => {
  let server: ServerProcess | undefined;
  after(() => server?.stop());

  test('a batch with a retry moves the counters; labels stay bounded; the token is required', { timeout: 60_000 }, async () => {
    server = await startServerProcess({
      env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_FAULTS: BUSY_FAULT, BATCHMODE_SHARD_SIZE: '2' },
      args: ['--metrics-token', TOKEN],
    });
    const metricsUrl = `${server.url}/metrics`;
    const refused = await fetch(metricsUrl);
    assert.equal(refused.status, 401);
    assert.equal((await fetch(metricsUrl, { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status, 401);

    const { fileName, uploadUrl } = await upload(server.url, INPUT);
    const batchId = await runBatch(server.url, fileName);
    const body = await pollUntil(() => scrape(metricsUrl, TOKEN), (text) => sample(text, 'batchmode_batches_finished_total', { model: MODEL, state: 'SUCCEEDED' }) === 1);

    assert.equal(sample(body, 'batchmode_upload_bytes_total'), Buffer.byteLength(INPUT));
    assert.equal(sample(body, 'batchmode_batches_created_total', { model: MODEL, surface: 'native' }), 1);
    assert.equal(sample(body, 'batchmode_batch_queue_seconds_count', { model: MODEL }), 1, 'started once');
    assert.equal(sample(body, 'batchmode_batches', { state: 'SUCCEEDED' }), 1);
    assert.equal(sample(body, 'batchmode_batches', { state: 'RUNNING' }), 0);
    assert.equal(sample(body, 'batchmode_backend_calls_total', { model: MODEL, outcome: 'ok' }), 4);
    assert.equal(sample(body, 'batchmode_backend_calls_total', { model: MODEL, outcome: 'retryable' }), 1);
    assert.equal(sample(body, 'batchmode_backend_call_duration_seconds_count', { model: MODEL, outcome: 'ok' }), 4);
    assert.equal(sample(body, 'batchmode_backend_retries_total', { model: MODEL, status: 'RESOURCE_EXHAUSTED' }), 1);
    assert.equal(sample(body, 'batchmode_backend_retry_wait_seconds_count', { model: MODEL, source: 'retry_after' }), 1);
    assert.ok((sample(body, 'batchmode_backend_retry_wait_seconds_sum', { model: MODEL, source: 'retry_after' }) ?? 0) >= 1, 'the Retry-After (1 s) was longer than the back-off (at most 0.5 s)');
    assert.equal(sample(body, 'batchmode_shard_claims_total', { model: MODEL }), 2, 'two shards of two requests');
    assert.equal(sample(body, 'batchmode_shard_takeovers_total', { model: MODEL }), undefined, 'no takeover');
    assert.equal(sample(body, 'batchmode_batch_requests_total', { model: MODEL, result: 'succeeded' }), 4);
    assert.equal(sample(body, 'batchmode_batch_finalize_duration_seconds_count'), 1);
    assert.equal(sample(body, 'batchmode_requests_pending', { model: MODEL }) ?? 0, 0);
    assert.equal(sample(body, 'batchmode_model_concurrency_limit', { route: 'gemini-*' }), 32, 'the default route, halved by the 429 (of 64)');
    assert.equal(sample(body, 'batchmode_model_in_flight', { route: 'gemini-*' }), 0);
    assert.equal(sample(body, 'batchmode_http_requests_total', { route: '/v1beta/models/{model}:batchGenerateContent', method: 'POST', status: '200' }), 1);
    assert.equal(sample(body, 'batchmode_http_requests_total', { route: '/upload/v1beta/files', method: 'POST', status: '200' }), 2, 'start and the chunk');
    assert.ok((sample(body, 'batchmode_http_requests_total', { route: '/v1beta/batches/{batchId}', method: 'GET', status: '200' }) ?? 0) >= 1);
    assert.equal(sample(body, 'batchmode_http_requests_total', { route: '/metrics', method: 'GET', status: '401' }), 2);
    assert.match(body, /^process_resident_memory_bytes \d+/m);

    const uploadId = new URL(uploadUrl).searchParams.get('upload_id') ?? new URL(uploadUrl).pathname;
    const secrets = [batchId, fileName.replace(/^files\//, ''), uploadId, KEY, TOKEN];
    for (const value of labelValues(body)) {
      for (const secret of secrets) assert.ok(!value.includes(secret), `label value ${JSON.stringify(value)} contains ${secret}`);
      assert.ok(!/[a-z0-9]{20,}/.test(value), `label value ${JSON.stringify(value)} looks like an id`);
    }
    for (const secret of secrets) assert.ok(!body.includes(secret), `the scrape contains ${secret}`);
  });
});

describe('metrics: batchmode worker --metrics-port on PostgreSQL', () => {
  let deployment: ScaleOutDeployment | undefined;
  after(() => deployment?.stop());

  test('the worker serves /metrics, /healthz and /readyz and counts the calls it made', { timeout: 120_000 }, async () => {
    deployment = await startScaleOutDeployment({ workers: 0, env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_FAULTS: BUSY_FAULT } });
    const worker = await deployment.startWorker({ BATCHMODE_METRICS_PORT: '0' });
    const printed = await pollUntil(async () => /^ {2}metrics: (http:\/\/\S+)$/m.exec(worker.output()), (match) => match !== null, 10_000);
    const metricsUrl = printed![1]!;
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const base = metricsUrl.replace(/\/metrics$/, '');
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: 'ready' });

    const { fileName } = await upload(deployment.api.url, INPUT);
    await runBatch(deployment.api.url, fileName);
    const body = await pollUntil(() => scrape(metricsUrl), (text) => sample(text, 'batchmode_batches_finished_total', { model: MODEL, state: 'SUCCEEDED' }) === 1);
    assert.equal(sample(body, 'batchmode_backend_calls_total', { model: MODEL, outcome: 'ok' }), 4);
    assert.equal(sample(body, 'batchmode_backend_retries_total', { model: MODEL, status: 'RESOURCE_EXHAUSTED' }), 1);
    assert.equal(sample(body, 'batchmode_batches', { state: 'SUCCEEDED' }), 1, 'read from the shared database');
    assert.equal(sample(body, 'batchmode_upload_bytes_total'), 0, 'the upload went to the API process');
    assert.equal(sample(body, 'batchmode_pg_pool_max_connections'), 10);
    assert.ok((sample(body, 'batchmode_pg_pool_connections') ?? 0) >= 1);
    assert.ok(sample(body, 'batchmode_pg_pool_waiting_queries') !== undefined);

    const api = await scrape(`${deployment.api.url}/metrics`);
    assert.equal(sample(api, 'batchmode_upload_bytes_total'), Buffer.byteLength(INPUT));
    assert.equal(sample(api, 'batchmode_backend_calls_total', { model: MODEL, outcome: 'ok' }), undefined, 'the API process runs no workers');
    assert.equal(sample(api, 'batchmode_worker_concurrency'), undefined);
  });
});

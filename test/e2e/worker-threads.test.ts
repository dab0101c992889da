/**
 * `--worker-threads 2`: the embedded server's two workers each on a thread of its own, end to end
 * over HTTP. Both workers take shards of one batch, every key comes back once, the thread's backend
 * calls reach this process's /metrics, a cancel stops the thread's calls in flight at once, and
 * close drains both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startInProcessServer } from '../support/in-process-server.js';
import { assertEveryKeyOnce, getJson, resultKeys, submitKeyedBatch } from '../support/keyed-batch.js';
import { pollUntil } from '../support/poll.js';

interface WorkerRow {
  name: string;
  pid: number;
  role: string;
  inFlightRequests: number;
  heldShardCount: number;
}

const workersOf = async (url: string, key: string): Promise<WorkerRow[]> =>
  (await getJson<{ workers: WorkerRow[] }>({ url }, key, '/v1beta/workers')).body?.workers ?? [];

/** The sum of a counter's samples in a /metrics page whose labels include `labels`. */
function counterSum(page: string, name: string, labels: string): number {
  return page.split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

test('two workers on threads: both run shards of a batch, every key once, the thread\'s calls in /metrics', async (t) => {
  const server = await startInProcessServer({ workerThreads: 2, simLatencyMs: 100, workerConcurrency: 2, shardSize: 2, leaseSeconds: 3 });
  t.after(() => server.close());
  const key = server.apiKeys[0]!;
  const count = 60;
  const batch = await submitKeyedBatch(server, key, count);

  // Both workers hold shards of the batch at some point while it runs.
  const holders = new Set<string>();
  let rows: WorkerRow[] = [];
  await pollUntil(async () => {
    rows = await workersOf(server.url, key);
    for (const row of rows) if (row.heldShardCount > 0) holders.add(row.name);
    return holders.size;
  }, (size) => size === 2, 15_000, 20, 'both workers holding shards');
  assert.deepEqual(rows.map((row) => row.role), ['worker', 'worker'], 'two worker threads; the main thread runs none');
  assert.equal(new Set(rows.map((row) => row.pid)).size, 1, 'one process');

  const operation = await batch.waitDone(30_000);
  assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED');
  assertEveryKeyOnce(await resultKeys(server, key, operation), count);

  // Every call, the thread's included, is counted in this process's metrics (sent within ~100 ms).
  const calls = await pollUntil(async () => {
    const page = await (await fetch(`${server.url}/metrics`)).text();
    return counterSum(page, 'batchmode_backend_calls_total', 'outcome="ok"');
  }, (sum) => sum >= count, 5_000, 50, 'backend calls counted');
  assert.equal(calls, count);

  const closing = Date.now();
  await server.close();
  assert.ok(Date.now() - closing < 5_000, 'close drains both workers promptly');
});

test("a cancel reaches the thread's calls in flight at once", async (t) => {
  // Calls take a minute: only an abort ends them.
  const server = await startInProcessServer({ workerThreads: 2, simLatencyMs: 60_000, workerConcurrency: 2, shardSize: 1, leaseSeconds: 3 });
  t.after(() => server.close());
  const key = server.apiKeys[0]!;
  const batch = await submitKeyedBatch(server, key, 8);
  await pollUntil(() => workersOf(server.url, key), (rows) => rows.length === 2 && rows.every((row) => row.inFlightRequests > 0), 15_000, 50, 'calls in flight on both workers');

  const cancelled = Date.now();
  const answer = await fetch(`${server.url}/v1beta/${batch.name}:cancel`, { method: 'POST', headers: { 'x-goog-api-key': key } });
  assert.equal(answer.status, 200, await answer.text());
  const operation = await batch.waitDone(10_000);
  assert.equal(operation.metadata.state, 'BATCH_STATE_CANCELLED');
  assert.ok(Date.now() - cancelled < 5_000, `cancelled in ${Date.now() - cancelled} ms, not after the calls' minute`);
  assertEveryKeyOnce(await resultKeys(server, key, operation), 8);
});

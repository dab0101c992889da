/**
 * `batchmode worker --worker-threads 2` on PostgreSQL + S3 (s3rver): the worker process runs a
 * second worker on a thread with its own PostgreSQL pool and S3 client. Both take shards of a
 * batch beside each other, every key comes back once, and SIGTERM drains both: their rows leave
 * the live list at once.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertEveryKeyOnce, getJson, resultKeys, submitKeyedBatch } from '../support/keyed-batch.js';
import { pollUntil } from '../support/poll.js';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';

const KEY = 'threads-key';
const REQUESTS = 2_000;

interface WorkerRow {
  name: string;
  pid: number;
  heldShardCount: number;
}

describe('scale-out: one worker process with two worker threads', () => {
  let deployment: ScaleOutDeployment | undefined;
  after(() => deployment?.stop());

  test('both threads run shards of a batch; every key once; SIGTERM drains both', { timeout: 180_000 }, async () => {
    deployment = await startScaleOutDeployment({
      workers: 0,
      env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '20', BATCHMODE_WORKER_CONCURRENCY: '8', BATCHMODE_SHARD_SIZE: '50' },
    });
    const worker = await deployment.startWorker({ BATCHMODE_WORKER_THREADS: '2' });
    const { api } = deployment;
    const listWorkers = async (): Promise<WorkerRow[]> => (await getJson<{ workers: WorkerRow[] }>(api, KEY, '/v1beta/workers')).body?.workers ?? [];

    const batch = await submitKeyedBatch(api, KEY, REQUESTS, { label: 'threads' });
    const holders = new Set<string>();
    let rows: WorkerRow[] = [];
    await pollUntil(async () => {
      rows = await listWorkers();
      for (const row of rows) if (row.heldShardCount > 0) holders.add(row.name);
      return holders.size;
    }, (size) => size === 2, 60_000, 50, 'both threads holding shards');
    assert.equal(rows.length, 2);
    assert.deepEqual(new Set(rows.map((row) => row.pid)), new Set([worker.child.pid]), 'both in the worker process');
    const banner = /batchmode worker (\S+) running/.exec(worker.output())?.[1];
    assert.deepEqual(banner?.split(',').sort(), rows.map((row) => row.name.replace(/^workers\//, '')).sort(), 'the banner names the threads\' worker ids');

    const finished = await batch.waitDone(120_000);
    assert.equal(finished.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assertEveryKeyOnce(await resultKeys(api, KEY, finished), REQUESTS);

    await worker.stop();
    assert.deepEqual(await listWorkers(), [], 'a drained worker removes its rows, the thread\'s too');
  });
});

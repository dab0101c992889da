/**
 * Fault: S3 unavailable for 10 s mid-batch. A scale-out deployment (1 API + 2 workers on
 * PostgreSQL + s3rver) runs a 400-request batch of 8 shards on a slowed simulated model; once a
 * quarter of it is done, s3rver is stopped (connections cut, the port refused) for 10 s, then
 * started again on the same port and directory. While it is down, the workers' segment writes
 * fail: the shards they were for must be released and retried, not crash the worker, and the
 * API answers a download (bytes in S3) with 503 UNAVAILABLE. Every process must keep running,
 * and the batch must end SUCCEEDED with each key exactly once.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { holdFor } from '../support/hold.js';
import { assertEveryKeyOnce, getJson, resultKeys, submitKeyedBatch, succeededOf } from '../support/keyed-batch.js';
import { deadProcesses, logMessages, processesOf } from '../support/process-health.js';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';

const KEY = 'fault-s3-key';
const REQUESTS = 400;
const OUTAGE_MS = 10_000;

describe('fault: S3 down for 10 s mid-batch (1 API + 2 workers on PostgreSQL + s3rver)', () => {
  let deployment: ScaleOutDeployment | undefined;
  after(async () => {
    await deployment?.s3.start();
    await deployment?.stop();
  });

  test('every process keeps running; the batch ends SUCCEEDED with every key exactly once', { timeout: 150_000 }, async (context) => {
    deployment = await startScaleOutDeployment({
      workers: 2,
      env: {
        BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '150', BATCHMODE_WORKER_CONCURRENCY: '4',
        BATCHMODE_SHARD_SIZE: '50', BATCHMODE_LEASE_SECONDS: '3',
      },
    });
    const { api, s3 } = deployment;
    const processes = processesOf(deployment);
    const batch = await submitKeyedBatch(api, KEY, REQUESTS, { label: 'fault test' });

    const before = await batch.waitProgress(REQUESTS / 4, 60_000);
    assert.ok(!before.done, 'the batch is still running when S3 goes down');
    const downAt = Date.now();
    await s3.stop();
    context.diagnostic(`S3 stopped at ${succeededOf(before)}/${REQUESTS} results`);

    // While it is down: every process runs on; the API answers what is in PostgreSQL, and a
    // download (file bytes are in S3) with 503 UNAVAILABLE.
    let during = before;
    const downloads: string[] = [];
    await holdFor({ ms: OUTAGE_MS - (Date.now() - downAt), everyMs: 1_000, why: 'S3 down' }, async () => {
      assert.deepEqual(deadProcesses(processes), [], 'no process ends while S3 is down');
      const answer = await batch.read();
      assert.equal(answer.status, 200, `GET batch while S3 is down: ${answer.status} ${JSON.stringify(answer.body)}`);
      if (answer.body) during = answer.body;
      const download = await getJson<{ error?: { code?: number; status?: string } }>(api, KEY, `/download/v1beta/${batch.fileName}:download?alt=media`);
      downloads.push(`${download.status} ${download.ms}ms`);
      assert.equal(download.status, 503, `download while S3 is down: ${download.status} ${JSON.stringify(download.body)}`);
      assert.deepEqual([download.body?.error?.code, download.body?.error?.status], [503, 'UNAVAILABLE']);
      assert.ok(download.ms < 10_000, `the download answered within 10 s (${download.ms} ms)`);
    });
    context.diagnostic(`downloads while S3 was down: ${downloads.join(', ')}`);
    assert.ok(!during.done, `the batch cannot finish without S3: ${JSON.stringify(during)}`);
    await s3.start();
    context.diagnostic(`S3 back after ${Date.now() - downAt} ms; batch at ${succeededOf(during)}/${REQUESTS} results`);

    const operation = await batch.waitDone(90_000);
    context.diagnostic(`batch ended ${operation.metadata.state} ${Date.now() - downAt} ms after the outage began`);
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(operation.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });
    assertEveryKeyOnce(await resultKeys(api, KEY, operation), REQUESTS);
    assert.deepEqual(deadProcesses(processes), [], 'every process still runs after the outage');
    const ready = await getJson(api, KEY, '/readyz');
    assert.equal(ready.status, 200);

    // The outage was felt: the workers logged failed S3 requests.
    const failures = deployment.workers.map((worker) => worker.output().split('\n').filter((line) => /ECONNREFUSED|ECONNRESET|socket hang up/.test(line)).length);
    context.diagnostic(`log lines about failed S3 requests per worker: ${failures.join(' / ')}`);
    deployment.workers.forEach((worker, index) => context.diagnostic(`worker ${index} logged: ${JSON.stringify(logMessages(worker))}`));
    assert.ok(failures.some((count) => count > 0), 'the workers met the outage');
  });
});

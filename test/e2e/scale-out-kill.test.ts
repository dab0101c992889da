/**
 * Scale-out crash safety: 1 API process and 3 worker processes on PostgreSQL + S3 (s3rver), a
 * 20,000-request batch on a simulated model with latency, one worker killed with SIGKILL
 * mid-run. The batch must succeed with every key exactly once; its shards move to the other
 * workers when their leases lapse, and only the requests the killed worker had in flight (at
 * most its concurrency) may reach the backend twice. Each worker logs its backend calls to its
 * own file, so the test knows who sent what.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertEveryKeyOnce, resultKeys, submitKeyedBatch, succeededOf } from '../support/keyed-batch.js';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';
import type { ServerProcess } from '../support/server-process.js';

const KEY = 'scale-key';
const REQUESTS = 20_000;
const CONCURRENCY = 16;

describe('scale-out: 1 API + 3 workers on PostgreSQL + S3, one worker SIGKILLed', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'batchmode-scale-'));
  let deployment: ScaleOutDeployment | undefined;
  after(() => deployment?.stop());
  after(() => rmSync(logDir, { recursive: true, force: true }));

  test('SUCCEEDED, every key once, duplicate calls ≤ the killed worker\'s in-flight limit', { timeout: 300_000 }, async (context) => {
    const env = {
      BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '20', BATCHMODE_WORKER_CONCURRENCY: String(CONCURRENCY),
      BATCHMODE_SHARD_SIZE: '500', BATCHMODE_LEASE_SECONDS: '3',
    };
    deployment = await startScaleOutDeployment({ workers: 0, env });
    const logs = [0, 1, 2].map((index) => join(logDir, `worker-${index}.log`));
    const workers: ServerProcess[] = [];
    for (const log of logs) workers.push(await deployment.startWorker({ BATCHMODE_SIM_CALL_LOG: log }));
    const { api } = deployment;
    const headers = { 'x-goog-api-key': KEY };

    const batch = await submitKeyedBatch(api, KEY, REQUESTS, { label: 'scale test' });

    // Kill a worker once the batch is well under way and every worker is busy.
    const operation = await batch.waitProgress(REQUESTS * 0.25, 120_000);
    const listed = (await (await fetch(`${api.url}/v1beta/workers`, { headers })).json()) as { workers: { inFlightRequests: number; heldShardCount: number; leases: unknown[] }[] };
    assert.equal(listed.workers.length, 3, 'the API lists the three live workers');
    assert.ok(listed.workers.every((worker) => worker.heldShardCount > 0), `every worker holds shards: ${JSON.stringify(listed.workers)}`);
    assert.ok(!operation.done, 'the batch is still running when the worker is killed');
    const victim = workers[0]!;
    await new Promise<void>((resolve) => {
      victim.child.once('exit', () => resolve());
      victim.child.kill('SIGKILL');
    });
    context.diagnostic(`worker 0 killed at ${succeededOf(operation)} results`);

    const finished = await batch.waitDone(180_000);
    assert.equal(finished.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(finished.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });
    const after = (await (await fetch(`${api.url}/v1beta/workers`, { headers })).json()) as { workers: unknown[] };
    assert.equal(after.workers.length, 2, 'the killed worker drops out of the live list');

    assertEveryKeyOnce(await resultKeys(api, KEY, finished), REQUESTS);

    const callsPerPrompt = new Map<string, number>();
    const perWorker = logs.map((log) => {
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      for (const line of lines) {
        const prompt = line.split(' ').slice(3).join(' ');
        callsPerPrompt.set(prompt, (callsPerPrompt.get(prompt) ?? 0) + 1);
      }
      return lines.length;
    });
    const duplicates = [...callsPerPrompt.values()].reduce((sum, count) => sum + count - 1, 0);
    context.diagnostic(`backend calls per worker ${perWorker.join(' / ')}; ${duplicates} duplicate calls (bound ${CONCURRENCY})`);
    assert.equal(callsPerPrompt.size, REQUESTS, 'every request reached the backend');
    assert.ok(perWorker.every((calls) => calls > 0), 'all three workers took part');
    assert.ok(duplicates <= CONCURRENCY, `${duplicates} duplicate calls > the killed worker's concurrency ${CONCURRENCY}`);
  });
});

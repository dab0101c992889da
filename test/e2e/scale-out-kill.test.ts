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
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';
import type { ServerProcess } from '../support/server-process.js';

const KEY = 'scale-key';
const REQUESTS = 20_000;
const CONCURRENCY = 16;

interface Operation {
  done?: boolean;
  metadata: { state: string; batchStats: Record<string, string> };
  response?: { responsesFile: string };
}

describe('scale-out: 1 API + 3 workers on PostgreSQL + S3, one worker SIGKILLed', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'batchmode-scale-'));
  let deployment: ScaleOutDeployment | undefined;
  after(async () => {
    await deployment?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

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

    const body = Array.from({ length: REQUESTS }, (_, index) => `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"scale test ${index}"}]}]}}\n`).join('');
    const upload = await fetch(`${api.url}/upload/v1beta/files`, { method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw' }, body });
    assert.equal(upload.status, 200, await upload.clone().text());
    const { file } = (await upload.json()) as { file: { name: string } };
    const created = await fetch(`${api.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { name } = (await created.json()) as { name: string };
    const read = async (): Promise<Operation> => (await (await fetch(`${api.url}/v1beta/${name}`, { headers })).json()) as Operation;
    const succeeded = (operation: Operation): number => Number(operation.metadata.batchStats.successfulRequestCount ?? 0);

    // Kill a worker once the batch is well under way and every worker is busy.
    let operation = await read();
    while (succeeded(operation) < REQUESTS * 0.25 && !operation.done) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      operation = await read();
    }
    const listed = (await (await fetch(`${api.url}/v1beta/workers`, { headers })).json()) as { workers: { inFlightRequests: number; heldShardCount: number; leases: unknown[] }[] };
    assert.equal(listed.workers.length, 3, 'the API lists the three live workers');
    assert.ok(listed.workers.every((worker) => worker.heldShardCount > 0), `every worker holds shards: ${JSON.stringify(listed.workers)}`);
    assert.ok(!operation.done, 'the batch is still running when the worker is killed');
    const victim = workers[0]!;
    await new Promise<void>((resolve) => {
      victim.child.once('exit', () => resolve());
      victim.child.kill('SIGKILL');
    });
    context.diagnostic(`worker 0 killed at ${succeeded(operation)} results`);

    const deadline = Date.now() + 180_000;
    while (!operation.done && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      operation = await read();
    }
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(operation.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });
    const after = (await (await fetch(`${api.url}/v1beta/workers`, { headers })).json()) as { workers: unknown[] };
    assert.equal(after.workers.length, 2, 'the killed worker drops out of the live list');

    const results = await fetch(`${api.url}/download/v1beta/${operation.response?.responsesFile}:download?alt=media`, { headers });
    const keys = (await results.text()).trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
    assert.equal(keys.length, REQUESTS);
    keys.forEach((key, index) => assert.equal(key, `k${index}`));

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

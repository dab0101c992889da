/**
 * Fault: PostgreSQL restarted mid-batch, twice. A scale-out deployment (1 API + 2 workers, on a
 * PRIVATE PostgreSQL server of this test, never the machine's shared one, + s3rver) runs a
 * 600-request batch. Once a fifth of it is done the database is stopped in `fast` mode (it tells
 * its clients it is shutting down) for 8 s; later, in `immediate` mode (a crash: connections cut,
 * WAL recovery at the next start) for 5 s. While it is down the API must answer batches.get,
 * files.list and /readyz with a 503 UNAVAILABLE google.rpc JSON body, each within 10 s, and no
 * process may end; once it is back the workers carry on, and the batch must end SUCCEEDED with
 * each key exactly once.
 */
import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import { holdFor } from '../support/hold.js';
import { assertEveryKeyOnce, getJson, resultKeys, submitKeyedBatch, succeededOf, type KeyedBatch } from '../support/keyed-batch.js';
import { deadProcesses, logMessages, processesOf } from '../support/process-health.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';

const KEY = 'fault-pg-key';
const REQUESTS = 600;
/** The most a request may take while the database is down. */
const ANSWER_BOUND_MS = 10_000;

interface RpcError {
  error?: { code?: number; message?: string; status?: string };
}

describe('fault: PostgreSQL restarted mid-batch (1 API + 2 workers on a private PostgreSQL + s3rver)', () => {
  let database: PrivatePostgres | undefined;
  let deployment: ScaleOutDeployment | undefined;
  after(async () => {
    try {
      if (database && !database.isRunning) await database.start();
      await deployment?.stop();
    } finally {
      await database?.close();
    }
  });

  /** Stops the database for `downMs` (at least two probe rounds), probing the API all along, then starts it again. */
  const outage = async (context: TestContext, batch: KeyedBatch, mode: 'fast' | 'immediate', downMs: number): Promise<void> => {
    const db = database!;
    const { api } = deployment!;
    const processes = processesOf(deployment!);
    const downAt = Date.now();
    await db.stop(mode);
    context.diagnostic(`PostgreSQL stopped (${mode}) in ${Date.now() - downAt} ms`);
    const seen: string[] = [];
    await holdFor({ ms: downMs - (Date.now() - downAt), everyMs: 1_000, minChecks: 2, why: `PostgreSQL down (${mode})` }, async () => {
      const probes = await Promise.all([
        batch.read(),
        getJson<RpcError>(api, KEY, '/v1beta/files?pageSize=10'),
        getJson<RpcError>(api, KEY, '/readyz'),
      ]);
      ['batches.get', 'files.list', '/readyz'].forEach((what, index) => {
        const answer = probes[index]!;
        const body = answer.body as RpcError | undefined;
        seen.push(`${what} ${answer.status} ${answer.ms}ms`);
        assert.equal(answer.status, 503, `${what} while PostgreSQL is down: ${answer.status} ${JSON.stringify(answer.body)}`);
        assert.match(answer.contentType, /^application\/json/, `${what}: a JSON body`);
        assert.equal(body?.error?.code, 503, `${what}: ${JSON.stringify(body)}`);
        assert.equal(body?.error?.status, 'UNAVAILABLE', `${what}: ${JSON.stringify(body)}`);
        assert.equal(typeof body?.error?.message, 'string');
        assert.ok(answer.ms < ANSWER_BOUND_MS, `${what} took ${answer.ms} ms`);
      });
      assert.deepEqual(deadProcesses(processes), [], 'no process ends while PostgreSQL is down');
    });
    const slowest = Math.max(...seen.map((line) => Number(/ (\d+)ms$/.exec(line)?.[1] ?? 0)));
    context.diagnostic(`while down (${mode}): ${seen.length} probes, all 503 UNAVAILABLE, slowest ${slowest} ms; first round: ${seen.slice(0, 3).join(', ')}`);
    const upAt = Date.now();
    await db.start();
    context.diagnostic(`PostgreSQL back after ${Date.now() - downAt} ms down (start took ${Date.now() - upAt} ms)`);
    const ready = await getJson(api, KEY, '/readyz');
    assert.equal(ready.status, 200, `/readyz once PostgreSQL is back: ${JSON.stringify(ready.body)}`);
  };

  test('503 UNAVAILABLE while down, no process ends, the batch ends SUCCEEDED with every key exactly once', { timeout: 180_000 }, async (context) => {
    database = await startPrivatePostgres();
    deployment = await startScaleOutDeployment({
      workers: 2,
      databaseUrl: database.url,
      env: {
        BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '200', BATCHMODE_WORKER_CONCURRENCY: '4',
        BATCHMODE_SHARD_SIZE: '50', BATCHMODE_LEASE_SECONDS: '3',
      },
    });
    const { api } = deployment;
    const batch = await submitKeyedBatch(api, KEY, REQUESTS, { label: 'fault test' });

    const first = await batch.waitProgress(REQUESTS / 5, 60_000);
    assert.ok(!first.done, 'the batch is still running at the first restart');
    context.diagnostic(`first restart at ${succeededOf(first)}/${REQUESTS} results`);
    await outage(context, batch, 'fast', 8_000);

    const second = await batch.waitProgress(Math.max(succeededOf(first) + 100, REQUESTS / 2), 90_000);
    assert.ok(!second.done, 'the batch is still running at the second restart');
    context.diagnostic(`second restart at ${succeededOf(second)}/${REQUESTS} results`);
    await outage(context, batch, 'immediate', 5_000);

    const operation = await batch.waitDone(120_000);
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(operation.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });
    assertEveryKeyOnce(await resultKeys(api, KEY, operation), REQUESTS);
    assert.deepEqual(deadProcesses(processesOf(deployment)), [], 'every process still runs after the restarts');
    processesOf(deployment).forEach((each, index) => context.diagnostic(`${index === 0 ? 'API' : `worker ${index - 1}`} logged: ${JSON.stringify(logMessages(each))}`));
  });
});

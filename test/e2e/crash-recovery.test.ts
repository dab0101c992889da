/**
 * Crash safety: a 20,000-request batch on a simulated model with latency, while the server is
 * killed with SIGKILL again and again and restarted on the same data directory. The batch must
 * succeed with every key exactly once, and the backend (whose calls are logged to a file that
 * survives the kills) must have been called at most requests + concurrency × workers × kills
 * times: only requests in flight at a kill may run twice. Once with the default one worker, once
 * with two (`--worker-threads 2`: the second on a thread of its own, killed with the process).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertEveryKeyOnce, resultKeys, submitKeyedBatch, succeededOf } from '../support/keyed-batch.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'crash-key';
const REQUESTS = 20_000;
const CONCURRENCY = 32;
const KILLS = 4;

for (const workers of [1, 2]) describe(`kill -9 during a batch, ${workers} worker${workers === 1 ? '' : 's'}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-crash-'));
  const callLog = join(dataDir, '..', `${dataDir.split('/').at(-1)}-calls.log`);
  const env = {
    BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '5', BATCHMODE_WORKER_CONCURRENCY: String(CONCURRENCY),
    BATCHMODE_SHARD_SIZE: '500', BATCHMODE_SIM_CALL_LOG: callLog, BATCHMODE_WORKER_THREADS: String(workers),
  };
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(callLog, { force: true });
  });

  test(`${KILLS} SIGKILLs and restarts: SUCCEEDED, every key once, duplicate calls bounded`, { timeout: 300_000 }, async (context) => {
    writeFileSync(callLog, '');
    server = await startServerProcess({ dataDir, env });
    // The API's address changes with each restart; the batch follows it.
    const api = { get url() { return server!.url; } };
    const batch = await submitKeyedBatch(api, KEY, REQUESTS, { label: 'crash test' });

    let kills = 0;
    while (kills < KILLS) {
      // Each kill at a random point of its own sixth of the batch: mid-run, never near its end.
      const killAt = Math.round((REQUESTS * (kills + 1 + Math.random() / 2)) / (KILLS + 2));
      const operation = await batch.waitProgress(killAt, 60_000).catch((error: unknown) => {
        throw new Error(`the batch made no progress; server output:\n${server!.output()}`, { cause: error });
      });
      if (operation.done) break;
      const child = server.child;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      kills++;
      context.diagnostic(`kill ${kills} at ${succeededOf(operation)} results`);
      server = await startServerProcess({ dataDir, env });
    }
    assert.ok(kills >= 2, `the batch must be killed mid-run at least twice (was ${kills} times)`);
    const operation = await batch.waitDone(120_000);
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(operation.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });

    context.diagnostic(`finished: ${JSON.stringify(operation.metadata)}`);
    assertEveryKeyOnce(await resultKeys(api, KEY, operation), REQUESTS);

    const calls = readFileSync(callLog, 'utf8').trim().split('\n').length;
    const bound = REQUESTS + CONCURRENCY * workers * kills;
    context.diagnostic(`${kills} kills; backend calls ${calls} for ${REQUESTS} requests (bound ${bound})`);
    assert.ok(calls >= REQUESTS);
    assert.ok(calls <= bound, `${calls} calls > ${REQUESTS} + ${CONCURRENCY} × ${workers} × ${kills}`);
  });
});

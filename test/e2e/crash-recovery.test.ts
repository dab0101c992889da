/**
 * Crash safety: a 20,000-request batch on a simulated model with latency, while the server is
 * killed with SIGKILL again and again and restarted on the same data directory. The batch must
 * succeed with every key exactly once, and the backend (whose calls are logged to a file that
 * survives the kills) must have been called at most requests + concurrency × kills times:
 * only requests in flight at a kill may run twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'crash-key';
const REQUESTS = 20_000;
const CONCURRENCY = 32;
const KILLS = 4;

interface Operation {
  done?: boolean;
  metadata: { state: string; batchStats: Record<string, string> };
  response?: { responsesFile: string };
}

describe('kill -9 during a batch', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-crash-'));
  const callLog = join(dataDir, '..', `${dataDir.split('/').at(-1)}-calls.log`);
  const env = {
    BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '5', BATCHMODE_WORKER_CONCURRENCY: String(CONCURRENCY),
    BATCHMODE_SHARD_SIZE: '500', BATCHMODE_SIM_CALL_LOG: callLog,
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
    const headers = { 'x-goog-api-key': KEY };
    const body = Array.from({ length: REQUESTS }, (_, index) => `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"crash test ${index}"}]}]}}\n`).join('');
    const upload = await fetch(`${server.url}/upload/v1beta/files`, { method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw' }, body });
    const { file } = (await upload.json()) as { file: { name: string } };
    const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
    });
    const { name } = (await created.json()) as { name: string };
    const read = async (): Promise<Operation> => {
      try {
        return (await (await fetch(`${server!.url}/v1beta/${name}`, { headers })).json()) as Operation;
      } catch (error) {
        throw new Error(`reading the batch failed; server output:\n${server!.output()}`, { cause: error });
      }
    };

    let kills = 0;
    let operation = await read();
    while (kills < KILLS && !operation.done) {
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 500));
      operation = await read();
      if (operation.done) break;
      const child = server.child;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      kills++;
      context.diagnostic(`kill ${kills} at ${operation.metadata.batchStats.successfulRequestCount ?? 0} results`);
      server = await startServerProcess({ dataDir, env });
      operation = await read();
    }
    assert.ok(kills >= 2, `the batch must be killed mid-run at least twice (was ${kills} times)`);
    const deadline = Date.now() + 120_000;
    while (!operation.done && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      operation = await read();
    }
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(operation.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });

    context.diagnostic(`finished: ${JSON.stringify(operation.metadata)}`);
    const results = await (await fetch(`${server.url}/download/v1beta/${operation.response?.responsesFile}:download?alt=media`, { headers })).text();
    const keys = results.trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
    assert.equal(keys.length, REQUESTS);
    keys.forEach((key, index) => assert.equal(key, `k${index}`));

    const calls = readFileSync(callLog, 'utf8').trim().split('\n').length;
    context.diagnostic(`${kills} kills; backend calls ${calls} for ${REQUESTS} requests (bound ${REQUESTS + CONCURRENCY * kills})`);
    assert.ok(calls >= REQUESTS);
    assert.ok(calls <= REQUESTS + CONCURRENCY * kills, `${calls} calls > ${REQUESTS} + ${CONCURRENCY} × ${kills}`);
  });
});

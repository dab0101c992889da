/**
 * Truthful state: a batch is reported terminal (`state`, `done`) only together with its final
 * counts and its output, and nothing about it changes afterwards. A poller reads the batch
 * every few milliseconds across a cancel and across an expiry, on the embedded server (SQLite,
 * local disk) and on a scale-out deployment (PostgreSQL + S3, separate API and worker
 * processes); and the embedded server is killed with SIGKILL right after a cancel, at several
 * moments, and restarted: the first terminal answer after the restart is final too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hold } from '../support/hold.js';
import { resultLinesOf, submitKeyedBatch, type Operation } from '../support/keyed-batch.js';
import { pollUntil } from '../support/poll.js';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'truth-key';
const headers = { 'x-goog-api-key': KEY };
const REQUESTS = 400;

const env = {
  BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '40', BATCHMODE_WORKER_CONCURRENCY: '8', BATCHMODE_SHARD_SIZE: '50',
  BATCHMODE_LEASE_SECONDS: '3',
};

/** Submits a batch of REQUESTS keyed requests; answers its name. */
const createBatch = async (url: string, completionWindow?: string): Promise<string> =>
  (await submitKeyedBatch({ url }, KEY, REQUESTS, { label: 'truth', ...(completionWindow ? { completionWindow } : {}) })).name;

const read = async (url: string, name: string): Promise<Operation> => {
  const response = await fetch(`${url}/v1beta/${name}`, { headers });
  assert.equal(response.status, 200);
  return (await response.json()) as Operation;
};

const count = (operation: Operation, field: string): number => Number(operation.metadata.batchStats[field] ?? 0);

/** The result lines of a finished file batch: how many succeeded and failed, and whether every key is there once. */
async function resultsOf(url: string, operation: Operation): Promise<{ succeeded: number; failed: number; keys: Set<string>; lines: number }> {
  const lines = await resultLinesOf({ url }, KEY, operation);
  return {
    succeeded: lines.filter((line) => line.response).length,
    failed: lines.filter((line) => line.error).length,
    keys: new Set(lines.map((line) => line.key)),
    lines: lines.length,
  };
}

/** Asserts that a terminal answer is complete and agrees with its results file. */
async function assertFinal(url: string, operation: Operation, state: string): Promise<void> {
  assert.equal(operation.metadata.state, state);
  assert.equal(operation.done, true);
  assert.equal(operation.metadata.output?.responsesFile, operation.response?.responsesFile);
  assert.ok(operation.metadata.endTime, 'a terminal batch has its end time');
  assert.equal(operation.metadata.batchStats.pendingRequestCount, undefined);
  assert.equal(count(operation, 'successfulRequestCount') + count(operation, 'failedRequestCount'), REQUESTS, 'final counts cover every request');
  const results = await resultsOf(url, operation);
  assert.equal(results.lines, REQUESTS);
  assert.equal(results.keys.size, REQUESTS, 'every key exactly once');
  assert.equal(results.succeeded, count(operation, 'successfulRequestCount'), 'the counts are those of the results file');
  assert.equal(results.failed, count(operation, 'failedRequestCount'));
}

/**
 * Reads the batch every few milliseconds while `action` runs and then until it is terminal and
 * 20 more answers are in; resolves the first terminal answer and every answer after it.
 */
async function pollAcross(url: string, name: string, action: () => Promise<void>): Promise<{ first: Operation; later: Operation[]; reads: number }> {
  let reads = 0;
  let first: Operation | undefined;
  const later: Operation[] = [];
  let actionDone = false;
  const acting = action().finally(() => (actionDone = true));
  const sample = (operation: Operation): boolean => {
    reads++;
    if (operation.done || ['BATCH_STATE_CANCELLED', 'BATCH_STATE_EXPIRED', 'BATCH_STATE_SUCCEEDED'].includes(operation.metadata.state)) {
      if (!first) first = operation;
      else later.push(operation);
    } else {
      assert.equal(first, undefined, 'once terminal, a batch never reads as active again');
      assert.equal(operation.response, undefined, 'an active batch names no results');
    }
    return actionDone && later.length >= 20;
  };
  try {
    await pollUntil(() => read(url, name), sample, 60_000, 3, 'a terminal batch and 20 answers after it');
  } finally {
    await acting;
  }
  assert.ok(first, 'the batch became terminal');
  return { first, later, reads };
}

/** Waits until the batch reports `atLeast` successful requests. */
const waitForProgress = (url: string, name: string, atLeast: number): Promise<Operation> =>
  pollUntil(() => read(url, name), (operation) => count(operation, 'successfulRequestCount') >= atLeast, 30_000, 20, 'progress');

for (const deployment of ['embedded', 'PostgreSQL + S3'] as const) {
  describe(`truthful terminal state (${deployment})`, () => {
    let server: ServerProcess | undefined;
    let scaleOut: ScaleOutDeployment | undefined;
    after(async () => {
      await server?.stop();
      await scaleOut?.stop();
    });
    const start = async (): Promise<string> => {
      if (deployment === 'embedded') {
        server ??= await startServerProcess({ env });
        return server.url;
      }
      scaleOut ??= await startScaleOutDeployment({ workers: 2, env });
      return scaleOut.api.url;
    };

    test('across a cancel, the first CANCELLED answer already has its output and final counts; nothing changes after', { timeout: 120_000 }, async () => {
      const url = await start();
      const name = await createBatch(url);
      await waitForProgress(url, name, 20);
      const { first, later, reads } = await pollAcross(url, name, async () => {
        const cancelled = await fetch(`${url}/v1beta/${name}:cancel`, { method: 'POST', headers });
        assert.equal(cancelled.status, 200, await cancelled.clone().text());
        // The guide's sample reads the state right after the cancel and expects CANCELLED.
        assert.equal((await read(url, name)).metadata.state, 'BATCH_STATE_CANCELLED');
      });
      assert.ok(reads > 5, `polled ${reads} times`);
      await assertFinal(url, first, 'BATCH_STATE_CANCELLED');
      assert.ok(count(first, 'failedRequestCount') > 0, 'some requests never ran');
      for (const operation of later) assert.deepEqual(operation, first, 'nothing about a terminal batch changes');
    });

    test('across an expiry, the first EXPIRED answer already has its output and final counts; nothing changes after', { timeout: 120_000 }, async () => {
      const url = await start();
      const name = await createBatch(url, '1s'); // the batch needs ≥ 2 s (400 × 40 ms ÷ 8)
      const { first, later } = await pollAcross(url, name, async () => undefined);
      await assertFinal(url, first, 'BATCH_STATE_EXPIRED');
      for (const operation of later) assert.deepEqual(operation, first, 'nothing about a terminal batch changes');
    });
  });
}

describe('truthful terminal state across kill -9 right after a cancel', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-truth-'));
  let server: ServerProcess | undefined;
  after(() => server?.stop());
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('killed 0–60 ms after the cancel: after the restart the batch reads terminal only with its output, and stays so across more kills', { timeout: 180_000 }, async () => {
    for (const delayMs of [0, 15, 60]) {
      server = await startServerProcess({ env, dataDir });
      const name = await createBatch(server.url);
      await waitForProgress(server.url, name, 10);
      void fetch(`${server.url}/v1beta/${name}:cancel`, { method: 'POST', headers }).catch(() => undefined);
      await hold(delayMs, 'the moment of the kill after the cancel is sent');
      server.child.kill('SIGKILL');
      await new Promise((resolve) => server?.child.once('exit', resolve));

      server = await startServerProcess({ env, dataDir });
      const { first, later } = await pollAcross(server.url, name, async () => undefined);
      const state = first.metadata.state;
      // A kill before the stop request was stored leaves a running batch, which then succeeds.
      assert.ok(state === 'BATCH_STATE_CANCELLED' || state === 'BATCH_STATE_SUCCEEDED', state);
      await assertFinal(server.url, first, state);
      for (const operation of later) assert.deepEqual(operation, first);

      server.child.kill('SIGKILL');
      await new Promise((resolve) => server?.child.once('exit', resolve));
      server = await startServerProcess({ env, dataDir });
      assert.deepEqual(await read(server.url, name), first, 'a final batch reads the same after another kill -9');
      await server.stop();
      server = undefined;
    }
  });
});

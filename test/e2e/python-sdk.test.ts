/**
 * The official Python SDK (google-genai) runs the Batch Mode guide's flow against `batchmode
 * serve` with only the base URL changed: upload a JSONL file, create a file batch and an inline
 * batch, poll, download the results, cancel (the state right after reads CANCELLED, with its
 * results file), delete and list.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { pythonWithSdks } from '../support/python-venv.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'python-key';
const script = resolve(import.meta.dirname, '../fixtures/python/guide_batch.py');

describe('the Python google-genai SDK against batchmode serve', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-python-'));
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("the guide's file, inline, cancel, delete and list calls", { timeout: 600_000 }, async () => {
    const python = pythonWithSdks();
    // A slow simulated model with one slot, so the batch to cancel is still running when cancelled.
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '200', BATCHMODE_WORKER_CONCURRENCY: '1' } });
    const { stdout } = await promisify(execFile)(python, [script], {
      env: { ...process.env, GEMINI_API_KEY: KEY, BATCHMODE_BASE_URL: server.url, WORK_DIR: work },
      timeout: 120_000,
    });
    const steps = Object.fromEntries(stdout.trim().split('\n').map((line) => {
      const parsed = JSON.parse(line) as { step: string } & Record<string, unknown>;
      return [parsed.step, parsed];
    }));
    assert.deepEqual(steps.file, { step: 'file', state: 'JOB_STATE_SUCCEEDED', keys: ['request-0', 'request-1', 'request-2', 'request-3', 'request-4'] });
    assert.equal(steps.inline?.state, 'JOB_STATE_SUCCEEDED');
    assert.ok(typeof steps.inline?.text === 'string' && steps.inline.text.length > 0);
    assert.equal(steps.cancel?.state, 'JOB_STATE_CANCELLED');
    assert.match(String(steps.cancel?.results), /^files\/batch-/, 'a cancelled batch reads terminal only with its results file');
    assert.equal((steps.list?.names as string[]).length, 2, 'the deleted batch is gone from the list');
  });
});

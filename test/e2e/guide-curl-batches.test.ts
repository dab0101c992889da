/**
 * Every batch curl sample of the guide (seed 000) against a running server, with the host and
 * key changed and the samples' placeholders (files/123456, batches/123456) filled in:
 * inline create, file create (single-quoted pseudo-JSON with an unquoted file name), the
 * status-and-results script, cancel and delete (both sent as GET, as the samples do).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'guide-key';
const fixtures = resolve(import.meta.dirname, '../fixtures/guide');

interface Operation {
  name: string;
  done?: boolean;
  metadata: { state: string; batchStats: Record<string, string> };
  response?: { responsesFile?: string };
}

function runSample(server: ServerProcess, sample: string, placeholders: Record<string, string> = {}): string {
  let script = readFileSync(join(fixtures, sample), 'utf8');
  for (const [placeholder, value] of Object.entries(placeholders)) script = script.replaceAll(placeholder, value);
  const work = mkdtempSync(join(tmpdir(), 'batchmode-guide-'));
  try {
    return execFileSync('bash', ['-c', script], {
      cwd: work,
      env: { ...process.env, BATCHMODE_URL: server.url, GEMINI_API_KEY: KEY },
      encoding: 'utf8',
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function waitForEnd(server: ServerProcess, name: string): Promise<Operation> {
  return pollUntil(
    async () => (await (await fetch(`${server.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as Operation,
    (operation) => operation.done === true,
  );
}

for (const stateNames of ['batch', 'job'] as const) {
  describe(`the guide's batch curl samples (BATCHMODE_STATE_NAMES=${stateNames})`, () => {
    let server: ServerProcess;
    const succeeded = stateNames === 'batch' ? 'BATCH_STATE_SUCCEEDED' : 'JOB_STATE_SUCCEEDED';
    before(async () => {
      server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_STATE_NAMES: stateNames } });
    });
    after(() => server.stop());

    test('inline create, then the status script', async () => {
      const created = JSON.parse(runSample(server, 'inline-create.sh')) as Operation;
      assert.match(created.name, /^batches\/[a-z0-9]{36}$/);
      assert.equal(created.metadata.batchStats.requestCount, '2');
      const done = await waitForEnd(server, created.name);
      assert.equal(done.metadata.state, succeeded);
      const printed = runSample(server, 'status.sh', { 'batches/123456': created.name });
      if (stateNames === 'job') {
        const inline = JSON.parse(printed) as { inlinedResponses: { metadata: { key: string } }[] };
        assert.deepEqual(inline.inlinedResponses.map((item) => item.metadata.key), ['request-1', 'request-2']);
      } else {
        // The script compares with JOB_STATE_SUCCEEDED while the API says BATCH_STATE_SUCCEEDED
        // (a doc bug, production behaves the same): it prints nothing. See README.
        assert.equal(printed, '');
      }
    });

    test('upload, file create with the unquoted file name, then the status script prints the results', async () => {
      const work = mkdtempSync(join(tmpdir(), 'batchmode-guide-'));
      let fileName: string;
      try {
        execFileSync('bash', ['-c', `source "${join(fixtures, 'upload.sh')}"`], {
          cwd: work, env: { ...process.env, BATCHMODE_URL: server.url, GEMINI_API_KEY: KEY },
        });
        fileName = (JSON.parse(readFileSync(join(work, 'file_info.json'), 'utf8')) as { file: { name: string } }).file.name;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      const created = JSON.parse(runSample(server, 'file-create.sh', { 'files/123456': fileName })) as Operation;
      const done = await waitForEnd(server, created.name);
      assert.equal(done.metadata.state, succeeded);
      assert.equal(done.response?.responsesFile, `files/batch-${created.name.slice('batches/'.length)}`);
      const printed = runSample(server, 'status.sh', { 'batches/123456': created.name });
      if (stateNames === 'job') {
        const lines = printed.trim().split('\n').map((line) => JSON.parse(line) as { response: { candidates: unknown[] }; key?: string });
        assert.equal(lines.length, 2, 'two bare request lines, two results');
        for (const line of lines) {
          assert.equal(line.key, undefined, 'bare lines have no key');
          assert.ok(line.response.candidates.length > 0);
        }
      } else {
        assert.equal(printed, '');
      }
    });

    test('cancel (sent as GET) then the confirmation prints the cancelled state; delete (GET) removes it', async () => {
      const slow = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_STATE_NAMES: stateNames, BATCHMODE_SIM_LATENCY_MS: '1000', BATCHMODE_WORKER_CONCURRENCY: '1' } });
      try {
        const created = JSON.parse(runSample(slow, 'inline-create.sh')) as Operation;
        const printed = runSample(slow, 'cancel.sh', { 'batches/123456': created.name });
        // The cancel call prints its `{}` body, then jq prints the state.
        assert.equal(printed.trim(), `{}${stateNames === 'batch' ? 'BATCH_STATE_CANCELLED' : 'JOB_STATE_CANCELLED'}`);
        const deleted = runSample(slow, 'delete.sh', { 'batches/123456': created.name });
        assert.equal(deleted, '{}');
        const gone = await fetch(`${slow.url}/v1beta/${created.name}`, { headers: { 'x-goog-api-key': KEY } });
        assert.equal(gone.status, 404);
      } finally {
        await slow.stop();
      }
    });
  });
}

/**
 * "See why" on the command line (issue 17): with no workers running, batches stay PENDING and
 * `batches get` shows what `:progress` says, the reason (NO_WORKERS) and the queue position;
 * `batches update --priority` moves a batch ahead of another (its queue position drops to 0);
 * `batches watch` off a terminal logs the reason; and Ctrl-C-free restarts are harmless: watch
 * holds no state.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'progress-key';
const projectRoot = resolve(import.meta.dirname, '../..');

describe('batchmode batches get / update / watch: why a batch waits', () => {
  let server: ServerProcess;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-cli-progress-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: work, GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: KEY });
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env());
  const submit = async (name: string): Promise<string> => {
    const path = join(work, name);
    writeFileSync(path, 'one\ntwo\n');
    const run = await cli('submit', path, '-m', 'gemini-2.5-flash', '--display-name', name);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout.trim();
  };

  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_WORKERS: 'false' } });
  });
  after(() => server.stop());

  test('get shows the reason and queue position; update --priority moves a batch ahead; watch logs the reason', { timeout: 90_000 }, async () => {
    const first = await submit('first.txt');
    const second = await submit('second.txt');
    const shown = await cli('batches', 'get', second);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^state:\s+PENDING$/m);
    assert.match(shown.stdout, /^waiting:\s+NO_WORKERS$/m);
    assert.match(shown.stdout, /^queue position:\s+1$/m);
    const json = JSON.parse((await cli('batches', 'get', second, '--json')).stdout) as { progress: { pendingReason: string; queuePosition: number } };
    assert.deepEqual([json.progress.pendingReason, json.progress.queuePosition], ['NO_WORKERS', 1]);

    const updated = await cli('batches', 'update', second, '--priority', '5');
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(updated.stdout, `updated ${second}: priority 5\n`);
    const raised = await cli('batches', 'get', second);
    assert.match(raised.stdout, /^priority:\s+5$/m);
    assert.doesNotMatch(raised.stdout, /^queue position:/m, 'first in line now');
    assert.match((await cli('batches', 'get', first)).stdout, /^queue position:\s+1$/m);
    assert.equal((await cli('batches', 'update', second)).code, 2, 'nothing to update');

    // Off a terminal, watch logs a status line with the reason; stopping it leaves the batch as it was.
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), 'batches', 'watch', first, '--poll-seconds', '0.2'], { cwd: projectRoot, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    try {
      await pollUntil(async () => stderr, (text) => text.includes('waiting:'), 30_000, 50, 'watch to log the reason');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    assert.match(stderr, new RegExp(`${first}: PENDING  0/2 done  0 failed  2 pending  0\\.0/s  ETA \\?  waiting: NO_WORKERS`));
    assert.match((await cli('batches', 'get', first)).stdout, /^state:\s+PENDING$/m);
  });
});

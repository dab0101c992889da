/**
 * The client commands (`files`, `models`, `batches`) as a user runs them: the CLI as a child
 * process against `batchmode serve` in another, configured through GOOGLE_GEMINI_BASE_URL and
 * GEMINI_API_KEY; JSON output parsed, exit statuses checked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'cli-key';

interface Operation {
  name: string;
  done?: boolean;
  metadata: { state: string; batchStats: Record<string, string> };
  response?: { responsesFile?: string };
}

function requestsJsonl(count: number, prefix: string): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ key: `${prefix}-${i}`, request: { contents: [{ parts: [{ text: `hello ${i}` }] }] } })).join('\n') + '\n';
}

function parsed<T>(result: CliResult): T {
  assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

describe('batchmode files / models / batches', () => {
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let work: string;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);

  const createFileBatch = async (count: number, prefix: string): Promise<Operation> => {
    const path = join(work, `${prefix}.jsonl`);
    writeFileSync(path, requestsJsonl(count, prefix));
    const file = parsed<{ name: string }>(await cli('files', 'upload', path, '--json'));
    const response = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { displayName: prefix, inputConfig: { fileName: file.name } } }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Operation;
  };

  before(async () => {
    // Two requests in flight at 5 ms each: a 3000-request batch runs for seconds, long enough to cancel.
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '5', BATCHMODE_WORKER_CONCURRENCY: '2' } });
    work = mkdtempSync(join(tmpdir(), 'batchmode-cli-'));
    env = { ...process.env, TMPDIR: work, GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: KEY };
  });
  after(async () => {
    await server.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('files upload, list, get, download (same bytes), delete', async () => {
    const path = join(work, 'data.bin');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    writeFileSync(path, bytes);
    const human = await cli('files', 'upload', path, '--display-name', 'human');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^uploaded files\/\S+ \(293 KiB\)\n$/);

    const file = parsed<{ name: string; displayName: string; sizeBytes: string }>(await cli('files', 'upload', path, '--display-name', 'data', '--mime-type', 'application/octet-stream', '--json'));
    assert.equal(file.displayName, 'data');
    assert.equal(file.sizeBytes, String(bytes.length));

    const listed = parsed<{ files: { name: string }[] }>(await cli('files', 'list', '--json'));
    assert.ok(listed.files.some((item) => item.name === file.name));
    const table = await cli('files', 'list');
    assert.match(table.stdout, /^NAME\s+DISPLAY NAME\s+SIZE\s+CREATED\s+EXPIRES\n/);
    assert.ok(table.stdout.includes(file.name));

    const got = parsed<{ name: string }>(await cli('files', 'get', file.name.slice('files/'.length), '--json'));
    assert.equal(got.name, file.name);
    assert.match((await cli('files', 'get', file.name)).stdout, /^size:\s+293 KiB$/m);

    const target = join(work, 'copy.bin');
    const saved = parsed<{ bytes: number }>(await cli('files', 'download', file.name, '-o', target, '--json'));
    assert.equal(saved.bytes, bytes.length);
    assert.ok(readFileSync(target).equals(bytes));
    const streamed = await cli('files', 'download', file.name);
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.ok(streamed.stdoutBytes.equals(bytes));

    assert.deepEqual(parsed(await cli('files', 'delete', file.name, '--json')), { name: file.name, deleted: true });
    const gone = await cli('files', 'get', file.name);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^error: files\.get: 40[34] /); // Google answers 403 for a missing file
  });

  test('models list', async () => {
    const { models } = parsed<{ models: { name: string }[] }>(await cli('models', 'list', '--json'));
    assert.ok(models.some((model) => model.name === 'models/gemini-2.5-flash'));
    const table = await cli('models', 'list');
    assert.match(table.stdout, /^NAME\s+DISPLAY NAME\s+METHODS\n/);
  });

  test('batches list, get, results of a finished file batch', async () => {
    const created = await createFileBatch(4, 'small');
    const listed = parsed<{ batches: Operation[] }>(await cli('batches', 'list', '--json'));
    assert.ok(listed.batches.some((batch) => batch.name === created.name));
    const id = created.name.slice('batches/'.length);
    assert.equal(parsed<Operation>(await cli('batches', 'get', id, '--json')).name, created.name);

    const done = await pollUntil(async () => parsed<Operation>(await cli('batches', 'get', created.name, '--json')), (op) => op.done === true, 60_000, 200);
    assert.equal(done.metadata.state, 'BATCH_STATE_SUCCEEDED');
    const human = await cli('batches', 'get', created.name);
    assert.match(human.stdout, /^state:\s+SUCCEEDED$/m);
    assert.match(human.stdout, /^results file:\s+files\/batch-/m);

    const target = join(work, 'results.jsonl');
    const saved = await cli('batches', 'results', id, '-o', target);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /^saved results of batches\/\S+ to /);
    const keys = readFileSync(target, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
    assert.deepEqual(keys.sort(), ['small-0', 'small-1', 'small-2', 'small-3']);
    const streamed = await cli('batches', 'results', created.name);
    assert.equal(streamed.stdout, readFileSync(target, 'utf8'));

    const table = await cli('batches', 'list');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+STATE\s+DONE\/TOTAL\s+FAILED\s+MODEL\s+CREATED\n/);
    assert.match(table.stdout, new RegExp(`${created.name}\\s+SUCCEEDED\\s+4/4\\s+0\\s+gemini-2\\.5-flash`));
    assert.ok(!table.stdout.includes('\x1b'));
  });

  test('results of a running batch fail; cancel and delete', async () => {
    const created = await createFileBatch(3000, 'big');
    const early = await cli('batches', 'results', created.name);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /^error: batch is (PENDING|RUNNING); results are available when it ends \(batchmode batches watch /);

    assert.deepEqual(parsed(await cli('batches', 'cancel', created.name, '--json')), { name: created.name, cancelled: true });
    const ended = await pollUntil(async () => parsed<Operation>(await cli('batches', 'get', created.name, '--json')), (op) => op.done === true, 60_000, 200);
    assert.equal(ended.metadata.state, 'BATCH_STATE_CANCELLED');
    assert.ok(Number(ended.metadata.batchStats.successfulRequestCount ?? 0) < 3000);

    const deleted = await cli('batches', 'delete', created.name.slice('batches/'.length));
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `deleted ${created.name}\n`);
    const gone = await cli('batches', 'get', created.name);
    assert.equal(gone.code, 1);
  });

  test('exit statuses: unknown batch and wrong key → 1, no key → 2', async () => {
    const unknown = await cli('batches', 'get', 'batches/does-not-exist');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: /);
    assert.equal(unknown.stdout, '');

    const wrongKey = await cli('batches', 'list', '--api-key', 'nope');
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /^error: /);

    const bare: NodeJS.ProcessEnv = { ...process.env, GOOGLE_GEMINI_BASE_URL: server.url, BATCHMODE_DATA_DIR: mkdtempSync(join(work, 'nokey-')) };
    for (const name of ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'BATCHMODE_API_KEYS']) delete bare[name];
    const noKey = await runCli(['batches', 'list'], bare);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /No API key/);
  });
});

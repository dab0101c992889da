/**
 * The command line on a bad network (issue 17): the CLI as a child process talks to a real
 * server through a flaky proxy (test/support/flaky-proxy.ts) that answers 503, drops
 * connections and loses answers. `batches watch` keeps going through failed polls and a broken
 * download; an upload resumes from the server's offset after a chunk is cut; a lost create
 * answer is retried with the same Idempotency-Key (one batch); and a `submit` killed after it
 * created its batch, run again, finds that batch instead of making a second.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFlakyProxy, type FlakyProxy, type SeenRequest } from '../support/flaky-proxy.js';
import { pollUntil } from '../support/poll.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'long-jobs-key';
const MODEL = 'gemini-2.5-flash';
const projectRoot = resolve(import.meta.dirname, '../..');
const NOTICE = /retrying in \d+(\.\d)?s \(attempt \d+\)/;

describe('batchmode on a flaky network', () => {
  let server: ServerProcess;
  let proxy: FlakyProxy;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-long-jobs-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  /** The CLI's environment, pointed at the proxy (default) or straight at the server. */
  const env = (through: 'proxy' | 'server' = 'proxy'): NodeJS.ProcessEnv => ({
    ...process.env, TMPDIR: work, GOOGLE_GEMINI_BASE_URL: through === 'proxy' ? proxy.url : server.url, GEMINI_API_KEY: KEY,
  });
  const write = (name: string, content: string): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const keysOf = (path: string): string[] => readFileSync(path, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`, { headers: { 'x-goog-api-key': KEY } })).json()) as T;
  const batchNames = async (): Promise<string[]> => ((await api<{ operations?: { name: string }[] }>('/v1beta/batches?pageSize=1000')).operations ?? []).map((op) => op.name);
  const ok = (result: CliResult): CliResult => {
    assert.equal(result.code, 0, `exit ${result.code}\n${result.stderr}`);
    return result;
  };

  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '20', BATCHMODE_WORKER_CONCURRENCY: '4' } });
    proxy = await startFlakyProxy(server.url);
  });
  after(async () => {
    await proxy.close();
    await server.stop();
  });

  test('watch: 503s and dropped polls, then a download cut mid-body; the results are complete', { timeout: 120_000 }, async () => {
    // About 5 s of work: the failures below hit the watch while the batch runs.
    const prompts = Array.from({ length: 1000 }, (_, i) => `prompt ${i}`);
    const name = ok(await runCli(['submit', write('watch.txt', prompts.join('\n')), '-m', MODEL], env('server'))).stdout.trim();
    proxy.reset();
    const poll = (request: SeenRequest): boolean => request.method === 'GET' && request.url.startsWith(`/v1beta/${name}`);
    proxy.failNext(2, 503, { when: poll, retryAfter: '1' });
    proxy.failNext(2, 'drop', { when: poll });
    proxy.failNext(1, 'drop-response', { when: (request) => request.url.includes(':download'), afterBytes: 2000 });
    const output = join(work, 'watched.jsonl');
    const watched = ok(await runCli(['batches', 'watch', name, '-o', output, '--poll-seconds', '0.2'], env(), 120_000));
    assert.equal(proxy.seen.log.filter((request) => request.failed !== undefined).length, 5, 'every failure was used');
    assert.match(watched.stderr, /batches\.(progress|get): 503 UNAVAILABLE; retrying in 1\.0s \(attempt 2\)/, 'Retry-After honoured');
    assert.match(watched.stderr, /connection broke|cannot reach/);
    assert.match(watched.stderr, /SUCCEEDED: 1,000 succeeded, 0 failed; results/);
    assert.deepEqual(keysOf(output), prompts.map((_, i) => `line-${i + 1}`));
  });

  test('upload: a chunk cut mid-way resumes from the server\'s offset, a 503 on the last chunk is retried', { timeout: 120_000 }, async () => {
    // 9.6 MB: two 8 MiB chunks.
    const line = 'x'.repeat(32_000);
    const input = write('big.txt', Array.from({ length: 300 }, (_, i) => `${i} ${line}`).join('\n'));
    proxy.reset();
    proxy.failNext(1, 'drop', { when: (request) => request.uploadOffset === '0' && request.uploadCommand === 'upload', afterBytes: 1 << 20 });
    proxy.failNext(1, 503, { when: (request) => request.uploadCommand === 'upload, finalize' });
    const submitted = ok(await runCli(['submit', input, '-m', MODEL, '--json'], env(), 120_000));
    const summary = JSON.parse(submitted.stdout) as { batch: string; requestCount: number; reused: boolean };
    assert.deepEqual([summary.requestCount, summary.reused], [300, false]);
    assert.equal(proxy.seen.failures, 2);
    assert.ok(proxy.seen.log.some((request) => request.uploadCommand === 'query'), 'asked the server where to resume');
    assert.match(submitted.stderr, NOTICE);
    assert.match(submitted.stderr, /uploaded files\/\S+ \(300 requests, 9\.\d MiB\)/);
    const batch = await api<{ metadata: { batchStats: { requestCount: string } } }>(`/v1beta/${summary.batch}`);
    assert.equal(batch.metadata.batchStats.requestCount, '300', 'the server got every line');
    await api(`/v1beta/${summary.batch}:cancel`);
  });

  test('a lost create answer is retried with the same key: one batch, and this run made it', { timeout: 60_000 }, async () => {
    const before = await batchNames();
    proxy.reset();
    const creates = (request: SeenRequest): boolean => request.method === 'POST' && request.url.includes(':batchGenerateContent') && !request.url.includes('validateOnly');
    // The first create is the probe for an earlier batch (it creates nothing); the second is the create.
    let seenCreates = 0;
    proxy.failNext(1, 'drop-response', { when: (request) => creates(request) && ++seenCreates === 2 });
    const run = ok(await runCli(['submit', write('lost.txt', 'one\ntwo\nthree\n'), '-m', MODEL, '--wait', '-o', join(work, 'lost.jsonl')], env()));
    assert.equal(proxy.seen.failures, 1);
    const keys = new Set(proxy.seen.log.filter(creates).map((request) => request.idempotencyKey));
    assert.equal(keys.size, 1, 'every create sent the same key');
    assert.match(run.stderr, /created batches\/\S+ on gemini-2\.5-flash/);
    assert.doesNotMatch(run.stderr, /found batches/);
    const added = (await batchNames()).filter((name) => !before.includes(name));
    assert.deepEqual(added, [run.stdout.trim()]);
    assert.deepEqual(keysOf(join(work, 'lost.jsonl')), ['line-1', 'line-2', 'line-3']);
  });

  test('submit killed after creating its batch, run again: finds that batch, uploads nothing, one batch', { timeout: 120_000 }, async () => {
    const input = write('rerun.txt', Array.from({ length: 200 }, (_, i) => `rerun prompt ${i}`).join('\n'));
    const output = join(work, 'rerun.jsonl');
    const args = ['submit', input, '-m', MODEL, '--wait', '-o', output, '--priority', '2', '--metadata', 'run=7'];
    const before = await batchNames();
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), ...args], { cwd: projectRoot, env: env('server'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    const created = await pollUntil(async () => /created (batches\/\S+)/.exec(stderr)?.[1], (name) => name !== undefined, 60_000, 20, 'the batch to be created');
    child.kill('SIGKILL');
    await exited;

    const rerun = ok(await runCli(args, env('server'), 90_000));
    assert.equal(rerun.stdout.trim(), created);
    assert.match(rerun.stderr, new RegExp(`found ${created} created earlier from the same input \\((PENDING|RUNNING|SUCCEEDED)\\); not creating another`));
    assert.doesNotMatch(rerun.stderr, /uploaded files/, 'the input was not uploaded again');
    assert.deepEqual((await batchNames()).filter((name) => !before.includes(name)), [created]);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; metadata: { run: string } });
    assert.equal(lines.length, 200);
    assert.ok(lines.every((line) => line.metadata.run === '7'), 'results echo --metadata');
  });
});

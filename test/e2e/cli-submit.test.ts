/**
 * The command line as a user runs it (a child process against a live server): submit JSONL,
 * text and CSV with --wait and results, submit then watch, --json summaries, exit codes (0 all
 * succeeded, 3 some requests failed, 2 bad input), and `batchmode run` with no server at all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'cli-submit-key';

describe('batchmode submit / watch / run', () => {
  let server: ServerProcess;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-cli-submit-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  // The CLI's own temporary files (a converted input, `run`'s data directory) go under `work` too.
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: work, GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: KEY });
  const keysOf = (path: string): string[] => readFileSync(path, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
  const write = (name: string, content: string): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  before(async () => {
    server = await startServerProcess({
      env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '5', BATCHMODE_SIM_FAULTS: JSON.stringify([{ match: 'poison', error: 'INVALID_ARGUMENT' }]) },
    });
  });
  after(() => server.stop());

  test('JSONL with --wait --output --json: exit 0, results by key', async () => {
    const input = write('requests.jsonl', ['a', 'b', 'c'].map((key) => `{"key":"${key}","request":{"contents":[{"parts":[{"text":"say ${key}"}]}]}}\n`).join(''));
    const output = join(work, 'jsonl-results.jsonl');
    const run = await runCli(['submit', input, '--model', 'gemini-2.5-flash', '--wait', '--output', output, '--json'], env());
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { batch: string; state: string; requestCount: number; succeededCount: number; outputPath: string };
    assert.match(summary.batch, /^batches\//);
    assert.deepEqual([summary.state, summary.requestCount, summary.succeededCount, summary.outputPath], ['SUCCEEDED', 3, 3, output]);
    assert.deepEqual(keysOf(output), ['a', 'b', 'c']);
    assert.match(run.stderr, /uploaded files\/\S+ \(3 requests/);
    assert.doesNotMatch(run.stdout + run.stderr, /\x1b/, 'no progress bar escapes when not on a terminal');
  });

  test('a text file, one prompt per line; a failed request makes the exit status 3', async () => {
    const input = write('prompts.txt', 'first prompt\n\npoison prompt\nthird prompt\n');
    const output = join(work, 'text-results.jsonl');
    const run = await runCli(['submit', input, '-m', 'gemini-2.5-flash', '-w', '-o', output], env());
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout.trim(), /^batches\/[a-z0-9]+$/, 'stdout holds the batch name');
    assert.match(run.stderr, /SUCCEEDED: 2 succeeded, 1 failed/);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; error?: { code: number } });
    assert.deepEqual(lines.map((line) => line.key), ['line-1', 'line-3', 'line-4']);
    assert.equal(lines[1]?.error?.code, 3);
  });

  test('a CSV with --prompt-column and --key-column; a CSV without --prompt-column is a usage error (2)', async () => {
    const input = write('questions.csv', 'id,question\nq1,"What is 2+2, really?"\nq2,Name a colour\n');
    const output = join(work, 'csv-results.jsonl');
    const run = await runCli(['submit', input, '-m', 'gemini-2.5-flash', '--prompt-column', 'question', '--key-column', 'id', '--wait', '-o', output], env());
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(keysOf(output), ['q1', 'q2']);
    const bad = await runCli(['submit', input, '-m', 'gemini-2.5-flash'], env());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /needs --prompt-column/);
    const badPoll = await runCli(['batches', 'watch', 'batches/x', '--poll-seconds', 'soon'], env());
    assert.equal(badPoll.code, 2);
    assert.match(badPoll.stderr, /--poll-seconds: not a positive number: soon/);
  });

  test('submit without --wait, then batches watch with -o', async () => {
    const input = write('later.txt', 'one\ntwo\n');
    const submitted = await runCli(['submit', input, '-m', 'gemini-2.5-flash'], env());
    assert.equal(submitted.code, 0, submitted.stderr);
    const name = submitted.stdout.trim();
    assert.match(submitted.stderr, new RegExp(`batchmode batches watch ${name}`));
    const output = join(work, 'watched.jsonl');
    const watched = await runCli(['batches', 'watch', name, '-o', output, '--poll-seconds', '0.2'], env());
    assert.equal(watched.code, 0, watched.stderr);
    assert.deepEqual(keysOf(output), ['line-1', 'line-2']);
  });

  test('batchmode run: an embedded server for the duration, results written, exit 0', async () => {
    const input = write('run-prompts.txt', 'alpha\nbeta\ngamma\n');
    const output = join(work, 'run-results.jsonl');
    const run = await runCli(['run', input, '--model', 'gemini-2.5-flash', '-o', output, '--json'], { ...process.env, TMPDIR: work, BATCHMODE_DATA_DIR: join(work, 'unused') });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { state: string }).state, 'SUCCEEDED');
    assert.deepEqual(keysOf(output), ['line-1', 'line-2', 'line-3']);
  });
});

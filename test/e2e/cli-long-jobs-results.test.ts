/**
 * The command line's "know before you spend" and "results that fit the input" (issue 17), as a
 * user runs it (child processes against a live server whose simulated models fail any prompt
 * containing "poison"): validate's report on a file with bad lines and its estimate with pricing
 * configured; the CSV round trip (input rows joined with their results, from submit --wait and
 * from batches results --input); results --errors / --ok / --follow and exit 3; resubmit of
 * exactly the failed requests; an embeddings job with --dimensions; shell completion.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'results-key';
const projectRoot = resolve(import.meta.dirname, '../..');
const FAULTS = [{ match: 'poison', error: 'INVALID_ARGUMENT' }];

interface ResultLine {
  key: string;
  response?: { embedding?: { values: number[] } };
  error?: { code: number };
}

describe('batchmode validate / results / resubmit / embeddings', () => {
  let server: ServerProcess;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-cli-results-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: work, GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: KEY });
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env(), 90_000);
  const write = (name: string, content: string): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const linesOf = (text: string): ResultLine[] => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ResultLine);
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`, { headers: { 'x-goog-api-key': KEY } })).json()) as T;

  before(async () => {
    const config = write('models.json', JSON.stringify({
      models: [
        // A slow model, for a batch still running while its results are followed.
        { name: 'gemini-2.0-flash', backend: { type: 'simulated', latencyMs: 25, faults: FAULTS }, maxConcurrency: 2 },
        { name: 'gemini-*', backend: { type: 'simulated', latencyMs: 2, faults: FAULTS }, pricing: { inputPerMillion: 1, outputPerMillion: 4 } },
      ],
    }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY }, args: ['--config', config] });
  });
  after(() => server.stop());

  test('validate: the server\'s line errors with the user\'s line numbers (exit 4), nothing left behind; an estimate with pricing', async () => {
    const bad = write('bad.jsonl', [
      '{"key":"a","request":{"contents":[{"parts":[{"text":"fine"}]}]}}',
      '',
      'not json at all',
      '{"key":"b","request":{"contents":[]}}',
      '{"key":"c","request":{"contents":[{"parts":[{"text":"also fine"}]}],"generationConfig":{"temperature":"hot"}}}',
    ].join('\n'));
    const refused = await cli('validate', bad, '-m', 'gemini-2.5-flash');
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stdout, new RegExp(`^${bad}:3: invalid JSON`, 'm'));
    assert.match(refused.stdout, new RegExp(`^${bad}:4: .*contents`, 'm'));
    assert.match(refused.stdout, new RegExp(`^${bad}:5: .*temperature`, 'm'));
    assert.doesNotMatch(refused.stdout, new RegExp(`${bad}:1:`));
    assert.match(refused.stderr, /error: the server would refuse 3 lines/);
    const json = await cli('validate', bad, '-m', 'gemini-2.5-flash', '--json');
    assert.equal(json.code, 4);
    assert.deepEqual((JSON.parse(json.stdout) as { errors: { line: number }[] }).errors.map((error) => error.line), [3, 4, 5]);
    const files = await api<{ files?: unknown[] }>('/v1beta/files');
    assert.deepEqual(files.files ?? [], [], 'the uploaded files were deleted');

    const good = write('good.txt', 'Explain batch processing in one sentence.\nName three prime numbers.\n');
    const valid = await cli('validate', good, '-m', 'gemini-2.5-flash');
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /valid for gemini-2\.5-flash/);
    assert.match(valid.stdout, /^requests:\s+2$/m);
    assert.match(valid.stdout, /^input tokens:\s+~\d+ \(estimated\)$/m);
    assert.match(valid.stdout, /^input cost:\s+~\$[\d.e-]+ \(batch price; output tokens not included\)$/m);
    const estimate = JSON.parse((await cli('validate', good, '-m', 'gemini-2.5-flash', '--json')).stdout) as { valid: boolean; requestCount: number; estimatedInputTokens: number; estimatedInputCostUsd: number };
    assert.equal(estimate.valid, true);
    assert.equal(estimate.requestCount, 2);
    assert.ok(estimate.estimatedInputTokens > 0);
    assert.ok(Math.abs(estimate.estimatedInputCostUsd - (estimate.estimatedInputTokens * 1e-6 * 0.5)) < 1e-12, 'input price with the batch discount');
    assert.equal((await batchesNow()).length, 0, 'validate creates no batch');
  });

  const batchesNow = async (): Promise<string[]> => ((await api<{ operations?: { name: string }[] }>('/v1beta/batches')).operations ?? []).map((op) => op.name);

  test('CSV round trip: input rows joined with their results; results --input --errors; resubmit --failed', { timeout: 180_000 }, async () => {
    const csv = write('questions.csv', 'id,question,notes\nq1,"What is 2+2, really?",first\nq2,poison this,"two\nlines"\nq3,,no prompt\nq4,Name a colour,last\nq5,more poison,x\n');
    const output = join(work, 'answers.csv');
    const run = await cli('submit', csv, '-m', 'gemini-2.5-flash', '--prompt-column', 'question', '--key-column', 'id', '--wait', '-o', output, '--json');
    assert.equal(run.code, 3, run.stderr);
    const summary = JSON.parse(run.stdout) as { batch: string; requestCount: number; estimate: { requestCount: number } };
    assert.deepEqual([summary.requestCount, summary.estimate.requestCount], [4, 4]);
    assert.match(run.stderr, /estimate: 4 requests, ~\d+ input tokens, ~\$/);
    const rows = parse(readFileSync(output, 'utf8'));
    assert.deepEqual(rows[0], ['id', 'question', 'notes', 'response_text', 'finish_reason', 'error']);
    assert.deepEqual(rows.slice(1).map((row) => [row[0], row[2]]), [['q1', 'first'], ['q2', 'two\nlines'], ['q3', 'no prompt'], ['q4', 'last'], ['q5', 'x']]);
    const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
    assert.match(byId.get('q1')?.[3] ?? '', /2\+2/, 'the response text');
    assert.equal(byId.get('q1')?.[4], 'STOP');
    assert.match(byId.get('q2')?.[5] ?? '', /^INVALID_ARGUMENT: /);
    assert.deepEqual(byId.get('q3')?.slice(3), ['', '', ''], 'a row without a prompt has no result');

    const errorsCsv = join(work, 'errors.csv');
    const errors = await cli('batches', 'results', summary.batch, '--errors', '--input', csv, '--prompt-column', 'question', '--key-column', 'id', '-o', errorsCsv);
    assert.equal(errors.code, 3, errors.stderr);
    assert.deepEqual(parse(readFileSync(errorsCsv, 'utf8')).slice(1).map((row) => row[0]), ['q2', 'q5']);
    const okCsv = join(work, 'ok.csv');
    assert.equal((await cli('batches', 'results', summary.batch, '--ok', '--input', csv, '--prompt-column', 'question', '--key-column', 'id', '-o', okCsv)).code, 0);
    assert.deepEqual(parse(readFileSync(okCsv, 'utf8')).slice(1).map((row) => row[0]), ['q1', 'q4']);

    const before = await batchesNow();
    const resubmitted = await cli('resubmit', summary.batch, '--failed', '--wait', '-o', join(work, 'retried.jsonl'), '--json');
    assert.equal(resubmitted.code, 3, resubmitted.stderr);
    const again = JSON.parse(resubmitted.stdout) as { batch: string; failedCount: number; requestCount: number };
    assert.deepEqual([again.failedCount, again.requestCount], [2, 2]);
    assert.match(resubmitted.stderr, new RegExp(`resubmitting 2 failed requests of ${summary.batch}`));
    assert.deepEqual((await batchesNow()).filter((name) => !before.includes(name)), [again.batch]);
    assert.deepEqual(linesOf(readFileSync(join(work, 'retried.jsonl'), 'utf8')).map((line) => line.key).sort(), ['q2', 'q5'], 'exactly the failed requests, same keys');
    const input = await api<{ metadata: { inputConfig: { fileName: string } } }>(`/v1beta/${again.batch}`);
    const uploaded = await (await fetch(`${server.url}/download/v1beta/${input.metadata.inputConfig.fileName}:download?alt=media`, { headers: { 'x-goog-api-key': KEY } })).text();
    assert.deepEqual(uploaded.trim().split('\n').map((line) => JSON.parse(line) as { key: string; request: { contents: { parts: { text: string }[] }[] } }).map((line) => [line.key, line.request.contents[0]?.parts[0]?.text]), [['q2', 'poison this'], ['q5', 'more poison']]);
  });

  test('results --errors / --ok and exit 3; --follow streams a running batch to its end', { timeout: 120_000 }, async () => {
    // About 4 s of work at 2 × 25 ms: still running when the follow starts.
    const prompts = Array.from({ length: 320 }, (_, i) => (i % 80 === 7 ? `poison ${i}` : `prompt ${i}`));
    const name = (await cli('submit', write('follow.txt', prompts.join('\n')), '-m', 'gemini-2.0-flash')).stdout.trim();
    assert.match(name, /^batches\//);
    assert.notEqual((await api<{ metadata: { state: string } }>(`/v1beta/${name}`)).metadata.state, 'BATCH_STATE_SUCCEEDED', 'still running');
    const followed = await cli('batches', 'results', name, '--follow');
    assert.equal(followed.code, 3, followed.stderr);
    const lines = linesOf(followed.stdout);
    assert.equal(lines.length, 320);
    assert.equal(new Set(lines.map((line) => line.key)).size, 320, 'each result once');
    assert.equal(lines.filter((line) => line.error).length, 4);

    const errors = await cli('batches', 'results', name, '--errors');
    assert.equal(errors.code, 3);
    assert.deepEqual(linesOf(errors.stdout).map((line) => line.key), ['line-8', 'line-88', 'line-168', 'line-248']);
    const okOnly = await cli('batches', 'results', name, '--ok', '-o', join(work, 'ok.jsonl'), '--json');
    assert.equal(okOnly.code, 0, okOnly.stderr);
    assert.deepEqual(JSON.parse(okOnly.stdout), { name, output: join(work, 'ok.jsonl'), lines: 316, errorLines: 0, bytes: readFileSync(join(work, 'ok.jsonl')).length });
    const both = await cli('batches', 'results', name, '--ok', '--errors');
    assert.equal(both.code, 2);
  });

  test('embeddings: a model that only embeds makes an asyncBatchEmbedContent batch; --dimensions sets the size', { timeout: 90_000 }, async () => {
    const output = join(work, 'vectors.jsonl');
    const run = await cli('submit', write('texts.txt', 'the cat sat\nthe dog ran\n'), '-m', 'gemini-embedding-001', '--dimensions', '16', '--wait', '-o', output, '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { batch: string; kind: string };
    assert.equal(summary.kind, 'embed');
    assert.match(run.stderr, /gemini-embedding-001 only embeds: making an embeddings batch/);
    const vectors = linesOf(readFileSync(output, 'utf8'));
    assert.deepEqual(vectors.map((line) => [line.key, line.response?.embedding?.values.length]), [['line-1', 16], ['line-2', 16]]);
    const operation = await api<{ metadata: { '@type': string } }>(`/v1beta/${summary.batch}`);
    assert.match(operation.metadata['@type'], /EmbedContentBatch$/);
    const csv = write('texts.csv', 'id,text\nt1,hello\n');
    const explicit = await cli('submit', csv, '-m', 'gemini-embedding-001', '--embeddings', '--dimensions', '4', '--prompt-column', 'text', '--key-column', 'id', '--wait', '-o', join(work, 'vectors.csv'));
    assert.equal(explicit.code, 0, explicit.stderr);
    const rows = parse(readFileSync(join(work, 'vectors.csv'), 'utf8'));
    assert.deepEqual(rows[0], ['id', 'text', 'response_text', 'finish_reason', 'error']);
    assert.equal((JSON.parse(rows[1]?.[2] ?? '[]') as number[]).length, 4, 'the vector, as JSON, in response_text');
  });

  test('completion: bash and zsh scripts from the command tree; bash completes subcommands and options', () => {
    const bash = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'completion', 'bash'], { cwd: projectRoot, encoding: 'utf8' });
    const path = write('batchmode.bash', bash);
    execFileSync('bash', ['-n', path]);
    const complete = (...words: string[]): string[] => execFileSync('bash', ['-c', `source ${path}; COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _batchmode; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(complete('batchmode', 're'), ['resubmit']);
    assert.deepEqual(complete('batchmode', 'batches', 'u'), ['update']);
    assert.ok(complete('batchmode', 'batches', 'results', 'batches/x', '--').includes('--follow'));
    assert.ok(complete('batchmode', 'submit', 'in.txt', '--c').includes('--completion-window'));
    assert.ok(complete('batchmode', 'validate', '').length > 0, 'file names after a command without subcommands');
    const zsh = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'completion', 'zsh'], { cwd: projectRoot, encoding: 'utf8' });
    assert.match(zsh, /^#compdef batchmode\n/);
    assert.match(zsh, /'batches results'\) echo '[^']*--errors[^']*--ok/);
  });
});

/**
 * `batchmode batches results <name> --save-images DIR` as a user runs it (child processes
 * against a live server whose config routes the simulated image models with a small
 * `imageSize` and marks a custom model `image: true`): a file batch's images land as
 * `DIR/<key>-<n>.png` (keys made safe for file names, one file per candidate), text-only and
 * error lines save nothing and exit 3 counts the error; with `-o` the lines still go to the
 * file; an inline batch's images are named by `metadata.key`, or `line-<n>` without one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodePng } from '../../src/backends/simulated/testing/decode-png.js';
import { pollUntil } from '../support/poll.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'cli-images-key';

describe('batchmode batches results --save-images', () => {
  let server: ServerProcess;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-cli-images-'));
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: work, GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: KEY });
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env(), 90_000);
  const write = (name: string, content: string): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const waitEnded = (name: string): Promise<unknown> => pollUntil(
    async () => (await (await fetch(`${server.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as { done?: boolean },
    (operation) => operation.done === true,
    60_000,
  );
  const sizeOf = (path: string): string => {
    const png = decodePng(readFileSync(path));
    return `${png.width}x${png.height}`;
  };

  before(async () => {
    const config = write('models.json', JSON.stringify({ models: [
      { name: 'gemini-2.5-flash-image', backend: { type: 'simulated', imageSize: 64, faults: [{ match: 'poison', error: 'INVALID_ARGUMENT' }] } },
      { name: 'my-painter', image: true, backend: { type: 'simulated', imageSize: 48 } },
      { name: 'gemini-*', backend: { type: 'simulated' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY }, args: ['--config', config] });
  });

  test('a file batch: every image as DIR/<key>-<n>.png, text and error lines save nothing, exit 3 for the error', { timeout: 120_000 }, async () => {
    const lines = [
      { key: 'lighthouse', request: { contents: [{ parts: [{ text: 'A lighthouse at dusk' }] }], generation_config: { responseModalities: ['TEXT', 'IMAGE'] } } },
      { key: 'two/wide cats', request: { contents: [{ parts: [{ text: 'Two cats' }] }], generationConfig: { responseModalities: ['IMAGE'], candidateCount: 2, imageConfig: { aspectRatio: '16:9' } } } },
      { key: 'words', request: { contents: [{ parts: [{ text: 'Describe a lighthouse' }] }], generationConfig: { responseModalities: ['TEXT'] } } },
      { key: 'bad', request: { contents: [{ parts: [{ text: 'poison' }] }] } },
    ];
    const input = write('images.jsonl', lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const submitted = await cli('submit', input, '-m', 'gemini-2.5-flash-image', '-y');
    assert.equal(submitted.code, 0, submitted.stderr);
    const name = submitted.stdout.trim();
    assert.match(name, /^batches\//);
    await waitEnded(name);

    const dir = join(work, 'images');
    const run = await cli('batches', 'results', name, '--save-images', dir);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, `saved 3 images of ${name} to ${dir} (4 lines, 1 errors)\n`, 'a summary, no base64 on the terminal');
    assert.deepEqual(readdirSync(dir).sort(), ['lighthouse-1.png', 'two_wide_cats-1.png', 'two_wide_cats-2.png']);
    assert.equal(sizeOf(join(dir, 'lighthouse-1.png')), '64x64');
    assert.equal(sizeOf(join(dir, 'two_wide_cats-1.png')), '64x36');
    assert.ok(!readFileSync(join(dir, 'two_wide_cats-1.png')).equals(readFileSync(join(dir, 'two_wide_cats-2.png'))));

    const again = join(work, 'again');
    const output = join(work, 'ok.jsonl');
    const json = await cli('batches', 'results', name, '--ok', '-o', output, '--save-images', again, '--json');
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { images: number; lines: number; errorLines: number; output: string };
    assert.deepEqual([summary.images, summary.lines, summary.errorLines, summary.output], [3, 3, 0, output]);
    assert.equal(readFileSync(output, 'utf8').trim().split('\n').length, 3, 'the lines still go to -o');
    assert.ok(readFileSync(join(again, 'lighthouse-1.png')).equals(readFileSync(join(dir, 'lighthouse-1.png'))), 'the same image each time');

    const refused = await cli('batches', 'results', name, '--save-images', dir, '--input', input, '-o', join(work, 'x.csv'));
    assert.equal(refused.code, 2);
  });

  test('an inline batch on a model marked image: true: images named by metadata.key, or by position', { timeout: 120_000 }, async () => {
    const response = await fetch(`${server.url}/v1beta/models/my-painter:batchGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { inputConfig: { requests: { requests: [
        { request: { contents: [{ parts: [{ text: 'a red fox' }] }], generationConfig: { imageConfig: { aspectRatio: '3:4' } } }, metadata: { key: 'fox' } },
        { request: { contents: [{ parts: [{ text: 'a blue bird' }] }] } },
      ] } } } }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { name } = (await response.json()) as { name: string };
    await waitEnded(name);
    const dir = join(work, 'inline');
    const run = await cli('batches', 'results', name, '--save-images', dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['fox-1.png', 'line-2-1.png']);
    assert.equal(sizeOf(join(dir, 'fox-1.png')), '36x48');
  });
});

/**
 * The official Python SDK (google-genai) runs the Batch API guide's "Generating images in batch"
 * examples (inline and input file, as written but for the base URL and key) and the cookbook
 * notebook's snake_case variant against `batchmode serve` on the simulated image models; the
 * images they save are checked to be real PNGs of the asked shape.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { decodePng } from '../../src/backends/simulated/testing/decode-png.js';
import { pythonWithSdks } from '../support/python-venv.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'python-images-key';
const script = resolve(import.meta.dirname, '../fixtures/python/image_batch.py');

interface Report {
  step: string;
  state: string;
  saved: string[];
}

describe('the Python google-genai SDK generating images in batch against batchmode serve', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-python-images-'));
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("the guide's inline and file image examples and the cookbook's variant save decodable PNGs", { timeout: 600_000 }, async () => {
    const python = pythonWithSdks();
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
    const { stdout } = await promisify(execFile)(python, [script], {
      cwd: work,
      env: { ...process.env, GEMINI_API_KEY: KEY, BATCHMODE_BASE_URL: server.url },
      timeout: 180_000,
    });
    const reports = Object.fromEntries(stdout.split('\n').filter((line) => line.startsWith('REPORT ')).map((line) => {
      const report = JSON.parse(line.slice('REPORT '.length)) as Report;
      return [report.step, report];
    }));
    assert.deepEqual(reports.inline, { step: 'inline', state: 'JOB_STATE_SUCCEEDED', saved: ['image_1.png', 'image_2.png'] });
    assert.deepEqual(reports.file, { step: 'file', state: 'JOB_STATE_SUCCEEDED', saved: ['request-1.png', 'request-2.png'] });
    assert.deepEqual(reports.cookbook, { step: 'cookbook', state: 'JOB_STATE_SUCCEEDED', saved: ['generated_image_1.png'] });
    assert.match(stdout, /Image mime type: image\/png/);
    assert.match(stdout, /image of "A big letter A surrounded by animals/, 'the text parts are printed');
    for (const name of ['image_1.png', 'image_2.png', 'request-1.png', 'request-2.png']) {
      const png = decodePng(readFileSync(join(work, name)));
      assert.deepEqual([png.width, png.height], [256, 256], name);
    }
    const wide = decodePng(readFileSync(join(work, 'generated_image_1.png')));
    assert.deepEqual([wide.width, wide.height], [256, 144], 'image_config.aspect_ratio 16:9, snake_case as the notebook writes it');
    assert.ok(!readFileSync(join(work, 'image_1.png')).equals(readFileSync(join(work, 'image_2.png'))));
  });
});

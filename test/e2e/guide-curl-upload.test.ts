/**
 * The guide's curl upload sample (seed 000, "Input file" → REST) against a running server,
 * with only the host and key changed: a resumable start with a single-quoted pseudo-JSON body
 * and `Content-Type: application/jsonl`, then one `upload, finalize` chunk sent to the returned
 * URL with no API key at all.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'curl-user-key';
const script = resolve(import.meta.dirname, '../fixtures/guide/upload.sh');

describe("the guide's curl upload sample", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
  });
  after(() => server.stop());

  test('uploads batch_input.tmp and answers {"file": File} with the bytes stored', async (context) => {
    const work = mkdtempSync(join(tmpdir(), 'batchmode-curl-'));
    context.after(() => rmSync(work, { recursive: true, force: true }));
    const fileUri = execFileSync('bash', ['-c', `source "${script}"; echo "$file_uri"`], {
      cwd: work,
      env: { ...process.env, BATCHMODE_URL: server.url, GEMINI_API_KEY: KEY },
      encoding: 'utf8',
    }).trim();
    const info = JSON.parse(readFileSync(join(work, 'file_info.json'), 'utf8')) as {
      file: { name: string; displayName: string; mimeType: string; sizeBytes: string; uri: string; state: string };
    };
    const input = readFileSync(join(work, 'batch_input.tmp'));
    assert.equal(info.file.displayName, 'BatchInput');
    const detected = execFileSync('file', ['-b', '--mime-type', join(work, 'batch_input.tmp')], { encoding: 'utf8' }).trim();
    assert.equal(info.file.mimeType, detected, 'the type from X-Goog-Upload-Header-Content-Type');
    assert.equal(info.file.sizeBytes, String(input.length));
    assert.equal(info.file.state, 'ACTIVE');
    assert.equal(fileUri, JSON.stringify(info.file.uri), 'jq prints the quoted uri');

    const download = await fetch(`${server.url}/download/v1beta/${info.file.name}:download?alt=media`, {
      headers: { 'x-goog-api-key': KEY },
    });
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(input));
  });

  test("the page's line with the missing quote is a bash syntax error, whatever the host", () => {
    const asPrinted = readFileSync(script, 'utf8').replace('/upload/v1beta/files" \\', '/upload/v1beta/files \\');
    assert.notEqual(asPrinted, readFileSync(script, 'utf8'));
    assert.throws(
      () => execFileSync('bash', ['-n', '-c', asPrinted], { stdio: ['ignore', 'pipe', 'pipe'] }),
      (error: { stderr?: Buffer }) => /unexpected EOF while looking for matching/.test(String(error.stderr)),
    );
  });
});

// Uploads over a flaky link, through a real proxy to a real server: a chunk cut mid-request is
// resumed from the offset the server reports (`x-goog-upload-command: query`), an answer lost
// after the server took a chunk does not make it send the chunk twice, the lost answer to the
// last chunk still yields the file, and the file the server holds is byte for byte the input.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ApiError } from './api-error.js';
import { createTransport } from './http-transport.js';
import { UPLOAD_CHUNK_BYTES, uploadResumable } from './resumable-upload.js';
import { startProxiedServer, TEST_KEY, type ProxiedServer } from './testing/proxied-server.js';
import type { FileResource } from './wire-types.js';

const work = mkdtempSync(join(tmpdir(), 'batchmode-upload-client-'));
let env: ProxiedServer;
before(async () => {
  env = await startProxiedServer({ workers: 'false' });
});
after(async () => {
  await env.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => env.reset());

/** Writes `size` random bytes; resolves the path and the wire's sha256Hash of them (base64 of the hex digest). */
function randomFile(name: string, size: number): { path: string; sha256Hash: string } {
  const bytes = randomBytes(size);
  const path = join(work, name);
  writeFileSync(path, bytes);
  return { path, sha256Hash: Buffer.from(createHash('sha256').update(bytes).digest('hex')).toString('base64') };
}

/** The upload calls the proxy saw, as `command@offset`. */
const uploadCalls = (): string[] =>
  env.proxy.seen.log.filter((entry) => entry.uploadCommand !== undefined && entry.uploadCommand !== 'start')
    .map((entry) => `${entry.uploadCommand}@${entry.uploadOffset ?? ''}${entry.failed === undefined ? '' : ` (${String(entry.failed)})`}`);

/** Small chunks, so that several fit in a small file. */
const CHUNK = 64 * 1024;
const smallUpload = (path: string): Promise<FileResource> => uploadResumable(
  createTransport({ baseUrl: env.proxy.url, apiKey: TEST_KEY, policy: { retryForMs: 10_000, initialDelayMs: 20, onRetry: (notice) => env.notices.push(notice) } }),
  path, {}, CHUNK,
);

describe('uploadFile through a flaky link', () => {
  test('a 40 MiB upload whose chunks 2 and 4 are cut mid-request finishes, resumed from the server offset', async () => {
    const size = 5 * UPLOAD_CHUNK_BYTES;
    const input = randomFile('big.bin', size);
    const at = (chunk: number): string => String(chunk * UPLOAD_CHUNK_BYTES);
    env.proxy.failNext(1, 'drop', { when: (request) => request.uploadOffset === at(1) });
    env.proxy.failNext(1, 'drop', { when: (request) => request.uploadOffset === at(3) });
    const progress: number[] = [];
    const file = await env.client.uploadFile(input.path, { displayName: 'big.bin', onProgress: (sent) => progress.push(sent) });

    assert.equal(file.sha256Hash, input.sha256Hash, 'the server holds exactly the input');
    assert.equal(file.sizeBytes, String(size));
    // Each cut chunk is followed by a query, and sent again from the offset the server reported
    // (the server may first answer 409 ABORTED while it winds up the cut request: tried again too).
    const calls = uploadCalls();
    assert.deepEqual(calls.filter((call) => call.endsWith('(drop)')), [`upload@${at(1)} (drop)`, `upload@${at(3)} (drop)`]);
    for (const chunk of [1, 3]) assert.equal(calls[calls.indexOf(`upload@${at(chunk)} (drop)`) + 1], 'query@', calls.join(', '));
    const landed = env.proxy.seen.log.filter((entry) => entry.status === 200 && entry.uploadOffset !== undefined).map((entry) => Number(entry.uploadOffset));
    assert.deepEqual(landed, [0, 1, 2, 3, 4].map((chunk) => chunk * UPLOAD_CHUNK_BYTES), 'every chunk landed once, in order');
    assert.ok(env.notices.length >= 2 && env.notices.every((notice) => notice.what === 'upload'), JSON.stringify(env.notices));
    assert.equal(progress.at(-1), size);
    assert.deepEqual((await env.direct.getFile(file.name)).sha256Hash, input.sha256Hash);
  });

  test('a chunk the server took whose answer was lost is not sent again: the query moves the offset on', async () => {
    const input = randomFile('lost-answer.bin', 3 * CHUNK + 100);
    env.proxy.failNext(1, 'drop-response', { when: (request) => request.uploadOffset === String(CHUNK) });
    const file = await smallUpload(input.path);
    assert.equal(file.sha256Hash, input.sha256Hash);
    assert.deepEqual(uploadCalls(), [`upload@0`, `upload@${CHUNK} (drop-response)`, 'query@', `upload@${2 * CHUNK}`, `upload, finalize@${3 * CHUNK}`]);
  });

  test('the answer to the last chunk lost after the server finished the file: the file is found, not uploaded again', async () => {
    const input = randomFile('lost-final.bin', 2 * CHUNK + 5);
    env.proxy.failNext(1, 'drop-response', { when: (request) => request.uploadCommand === 'upload, finalize' });
    const file = await smallUpload(input.path);
    assert.equal(file.sha256Hash, input.sha256Hash);
    assert.equal(file.displayName, 'lost-final.bin');
    assert.equal(env.proxy.seen.log.filter((entry) => entry.uploadCommand === 'upload, finalize').length, 1);
    assert.ok(env.proxy.seen.log.some((entry) => entry.url.startsWith('/v1beta/files?')), 'looked in the file list');
  });

  test('a start answered 503 and chunks answered 503 are tried again; a 400 is not', async () => {
    const input = randomFile('busy.bin', 2 * CHUNK);
    env.proxy.failNext(1, 503, { when: (request) => request.uploadCommand === 'start' });
    env.proxy.failNext(2, 503, { when: (request) => request.uploadCommand === 'upload' });
    assert.equal((await smallUpload(input.path)).sha256Hash, input.sha256Hash);
    assert.deepEqual(env.notices.map((notice) => [notice.what, notice.reason]), [
      ['upload start', '503 UNAVAILABLE'], ['upload', '503 UNAVAILABLE'], ['upload', '503 UNAVAILABLE'],
    ]);
    env.reset();
    env.proxy.failNext(1, 400, { when: (request) => request.uploadCommand === 'upload' });
    await assert.rejects(smallUpload(input.path), (error: ApiError) => error.httpStatus === 400);
    assert.deepEqual(env.notices, []);
  });
});

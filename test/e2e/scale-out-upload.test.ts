/**
 * Scale-out: a resumable upload started on one API process continues and finishes on another
 * (both share PostgreSQL and S3); the other process serves the finished file, and the worker
 * list is the same from both.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { startScaleOutDeployment, type ScaleOutDeployment } from '../support/scale-out-deployment.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'upload-key';
const MIB = 1024 * 1024;

describe('scale-out: resumable upload across API processes', () => {
  let deployment: ScaleOutDeployment | undefined;
  let second: ServerProcess | undefined;
  after(async () => {
    await second?.stop();
    await deployment?.stop();
  });

  test('chunks go to different API processes; the file is whole on both', { timeout: 120_000 }, async () => {
    deployment = await startScaleOutDeployment({ workers: 1, env: { BATCHMODE_API_KEYS: KEY } });
    second = await startServerProcess({ env: { ...deployment.env, BATCHMODE_WORKERS: 'false' } });
    const first = deployment.api;
    const bytes = randomBytes(12 * MIB);

    const started = await fetch(`${first.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': String(bytes.length), 'content-type': 'application/json',
      },
      body: JSON.stringify({ file: { displayName: 'across' } }),
    });
    assert.equal(started.status, 200);
    const uploadUrl = new URL(started.headers.get('x-goog-upload-url') ?? '');
    const on = (server: ServerProcess): string => `${server.url}${uploadUrl.pathname}${uploadUrl.search}`;
    const chunk = (server: ServerProcess, offset: number, end: number, command: string): Promise<Response> =>
      fetch(on(server), {
        method: 'POST',
        headers: { 'x-goog-upload-offset': String(offset), 'x-goog-upload-command': command },
        body: bytes.subarray(offset, end),
      });

    assert.equal((await chunk(first, 0, 8 * MIB, 'upload')).status, 200);
    const query = await fetch(on(second), { method: 'POST', headers: { 'x-goog-upload-command': 'query' } });
    assert.equal(query.headers.get('x-goog-upload-size-received'), String(8 * MIB), 'the other process knows the offset');
    const finished = await chunk(second, 8 * MIB, bytes.length, 'upload, finalize');
    assert.equal(finished.status, 200, await finished.clone().text());
    const { file } = (await finished.json()) as { file: { name: string; sizeBytes: string; sha256Hash: string } };
    assert.equal(file.sizeBytes, String(bytes.length));
    const hex = createHash('sha256').update(bytes).digest('hex');
    assert.equal(Buffer.from(file.sha256Hash, 'base64').toString(), hex, 'the hash covers both processes\' chunks');

    const downloaded = await fetch(`${first.url}/download/v1beta/${file.name}:download?alt=media`, { headers: { 'x-goog-api-key': KEY } });
    assert.equal(createHash('sha256').update(Buffer.from(await downloaded.arrayBuffer())).digest('hex'), hex);

    const list = async (server: ServerProcess): Promise<string[]> =>
      ((await (await fetch(`${server.url}/v1beta/workers`, { headers: { 'x-goog-api-key': KEY } })).json()) as { workers: { name: string }[] }).workers.map((worker) => worker.name);
    assert.deepEqual(await list(first), await list(second));
    assert.equal((await list(first)).length, 1);
  });
});

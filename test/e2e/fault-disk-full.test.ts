/**
 * A full disk under the embedded server's data directory (a small tmpfs mounted for the test;
 * CI runs as root). An upload that does not fit fails with a clean JSON error and leaves no
 * partial file behind; a batch whose result writes hit ENOSPC keeps running (its shards are
 * released and retried), is never reported SUCCEEDED with a truncated results file, and ends
 * SUCCEEDED with every key exactly once when space returns. The server never crashes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'disk-key';
const headers = { 'x-goog-api-key': KEY };
const TMPFS_MIB = 48;
const REQUESTS = 300;

/** Fills the file system with one file until ENOSPC; returns its path. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(1024 * 1024, 0x61);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
    // The last partial megabyte, byte by byte in 4 KiB steps, so nothing is left.
    const small = Buffer.alloc(4096, 0x61);
    try {
      for (;;) writeSync(fd, small);
    } catch {
      // full
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Every file under `dir`, relative. */
function listFiles(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listFiles(path, `${prefix}${entry.name}/`));
    else found.push(`${prefix}${entry.name}`);
  }
  return found;
}

describe('a full disk in the embedded data directory', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'batchmode-tmpfs-'));
  const dataDir = join(mountPoint, 'data');
  let server: ServerProcess | undefined;

  before(() => {
    // Needs root (CI and the developers' machines run as root); fails loudly otherwise.
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MIB}m`, 'tmpfs', mountPoint]);
    mkdirSync(dataDir);
  });
  after(async () => {
    await server?.stop();
    try {
      execFileSync('umount', [mountPoint]);
    } finally {
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  const healthy = async (): Promise<void> => {
    assert.equal((await fetch(`${server?.url}/healthz`)).status, 200);
    assert.equal(server?.child.exitCode, null, 'the server is alive');
  };

  test('an upload larger than the free space fails with a JSON error naming the disk and leaves nothing behind', { timeout: 60_000 }, async () => {
    server = await startServerProcess({ dataDir, env: { BATCHMODE_API_KEYS: KEY } });
    const before = listFiles(join(dataDir, 'blobs')).length;
    const body = Buffer.alloc((TMPFS_MIB + 8) * 1024 * 1024, 0x62);
    const response = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/octet-stream' }, body,
    }).catch((error: unknown) => error);
    // The server may answer before the body is sent, which some clients see as a reset; both are clean.
    if (response instanceof Response) {
      assert.equal(response.headers.get('content-type')?.startsWith('application/json'), true);
      const answer = (await response.json()) as { error: { code: number; status: string; message: string } };
      assert.equal(answer.error.status, 'UNAVAILABLE', JSON.stringify(answer));
      assert.equal(answer.error.code, 503);
      assert.match(answer.error.message, /disk space/);
    }
    await healthy();
    const list = (await (await fetch(`${server.url}/v1beta/files`, { headers })).json()) as { files?: unknown[] };
    assert.equal(list.files, undefined, 'no file record');
    const left = listFiles(join(dataDir, 'blobs')).filter((path) => statSync(join(dataDir, 'blobs', path)).size > 0);
    assert.equal(left.length, before, `no partial blob is left: ${left.join(', ')}`);
  });

  test('a batch whose result writes hit ENOSPC waits, is not reported finished, and completes when space returns', { timeout: 120_000 }, async () => {
    await server?.stop();
    server = await startServerProcess({
      dataDir,
      env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '30', BATCHMODE_WORKER_CONCURRENCY: '4', BATCHMODE_SHARD_SIZE: '50' },
    });
    const input = Array.from({ length: REQUESTS }, (_, i) => `{"key":"k${i}","request":{"contents":[{"parts":[{"text":"disk ${i}"}]}]}}\n`).join('');
    const upload = await fetch(`${server.url}/upload/v1beta/files`, { method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw' }, body: input });
    assert.equal(upload.status, 200, await upload.clone().text());
    const { file } = (await upload.json()) as { file: { name: string } };
    const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
    });
    assert.equal(created.status, 200);
    const { name } = (await created.json()) as { name: string };
    type Operation = { done?: boolean; metadata: { state: string; batchStats: Record<string, string> }; response?: { responsesFile: string } };
    const read = async (): Promise<Operation> => (await (await fetch(`${server?.url}/v1beta/${name}`, { headers })).json()) as Operation;
    const done = (operation: Operation): number =>
      Number(operation.metadata.batchStats.successfulRequestCount ?? 0) + Number(operation.metadata.batchStats.failedRequestCount ?? 0);

    for (let operation = await read(); done(operation) < 40; operation = await read()) await new Promise((resolve) => setTimeout(resolve, 20));
    const filler = fillDisk(mountPoint);
    const fullAt = Date.now();
    // Held full for three seconds: the batch must not finish, and the server must stay up.
    while (Date.now() - fullAt < 3_000) {
      const operation = await read().catch(() => undefined);
      if (operation) assert.notEqual(operation.done, true, 'not reported finished while its results cannot be written');
      assert.equal(server.child.exitCode, null, 'the server is alive');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(server.output(), /disk space|disk is full/, 'the operator sees why');
    rmSync(filler);

    const deadline = Date.now() + 90_000;
    let operation = await read();
    while (operation.done !== true && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      operation = await read();
    }
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED', JSON.stringify(operation));
    assert.equal(Number(operation.metadata.batchStats.successfulRequestCount), REQUESTS);
    const results = await fetch(`${server.url}/download/v1beta/${operation.response?.responsesFile}:download?alt=media`, { headers });
    const lines = (await results.text()).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { key: string; response?: unknown });
    assert.equal(lines.length, REQUESTS);
    assert.equal(new Set(lines.map((line) => line.key)).size, REQUESTS, 'every key exactly once');
    assert.ok(lines.every((line) => line.response), 'every request succeeded');
    await healthy();
  });
});

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
import { holdFor } from '../support/hold.js';
import { assertEveryKeyOnce, resultLinesOf, submitKeyedBatch, succeededOf } from '../support/keyed-batch.js';
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
    const batch = await submitKeyedBatch(server, KEY, REQUESTS, { label: 'disk' });
    await batch.waitProgress(40, 60_000);
    const filler = fillDisk(mountPoint);
    await holdFor({ ms: 3_000, everyMs: 100, why: 'the disk full' }, async () => {
      // Held full for three seconds: the batch must not finish, and the server must stay up.
      const { body: operation } = await batch.read();
      if (operation) assert.notEqual(operation.done, true, 'not reported finished while its results cannot be written');
      assert.equal(server?.child.exitCode, null, 'the server is alive');
    });
    assert.match(server.output(), /disk space|disk is full/, 'the operator sees why');
    rmSync(filler);

    const operation = await batch.waitDone(90_000);
    assert.equal(operation.metadata.state, 'BATCH_STATE_SUCCEEDED', JSON.stringify(operation));
    assert.equal(succeededOf(operation), REQUESTS);
    const lines = await resultLinesOf(server, KEY, operation);
    assertEveryKeyOnce(lines.map((line) => line.key), REQUESTS);
    assert.ok(lines.every((line) => line.response), 'every request succeeded');
    await healthy();
  });
});

/**
 * The Files API through the official @google/genai SDK (pinned in package.json) against a
 * running `batchmode serve` process: uploads (small, and chunked over 8 MiB), get by both name
 * forms, list paged to the end, download, delete, and the errors for a missing file, a wrong
 * key and another tenant's file.
 */
import { ApiError, GoogleGenAI, type File as GenAIFile } from '@google/genai';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEPLOYMENTS, type RunningDeployment } from '../support/deployments.js';

const KEY_A = 'tenant-a-key';
const KEY_B = 'tenant-b-key';

async function rejectsWith(promise: Promise<unknown>, status: number, rpcStatus: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected ApiError, got ${String(error)}`);
    assert.equal(error.status, status);
    const body = JSON.parse(error.message) as { error: { code: number; status: string; message: string } };
    assert.equal(body.error.status, rpcStatus);
    assert.equal(body.error.code, status);
    assert.ok(body.error.message.length > 0);
    return true;
  });
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

for (const deployment of DEPLOYMENTS) describe(`Files API through @google/genai — ${deployment.name}`, () => {
  let server: RunningDeployment;
  let ai: GoogleGenAI;
  let aiB: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-sdk-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  before(async () => {
    server = await deployment.start({ env: { BATCHMODE_API_KEYS: `${KEY_A},${KEY_B}` } });
    ai = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: server.url } });
    aiB = new GoogleGenAI({ apiKey: KEY_B, httpOptions: { baseUrl: server.url } });
  });
  after(() => server.stop());

  test('uploads a small JSONL file, gets it by both name forms, downloads identical bytes', async () => {
    const content = Buffer.from(
      '{"key": "request-1", "request": {"contents": [{"parts": [{"text": "Hello"}]}]}}\n' +
        '{"key": "request-2", "request": {"contents": [{"parts": [{"text": "World"}]}]}}\n',
    );
    const path = join(work, 'small.jsonl');
    writeFileSync(path, content);
    const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl', displayName: 'small input' } });
    assert.match(file.name ?? '', /^files\/[a-z0-9]+$/);
    assert.equal(file.sizeBytes, String(content.length));
    assert.equal(file.displayName, 'small input');
    assert.equal(file.state, 'ACTIVE');
    assert.equal(file.source, 'UPLOADED');
    assert.equal(Buffer.from(file.sha256Hash ?? '', 'base64').toString(), sha256Of(content));
    assert.match(file.uri ?? '', /^https:\/\/.+\/v1beta\/files\/[a-z0-9]+$/);
    assert.ok(Date.parse(file.expirationTime ?? '') > Date.parse(file.createTime ?? ''));

    const byFullName = await ai.files.get({ name: file.name ?? '' });
    const byId = await ai.files.get({ name: (file.name ?? '').replace('files/', '') });
    assert.deepEqual(byFullName, file);
    assert.deepEqual(byId, file);

    const downloadPath = join(work, 'small.out');
    await ai.files.download({ file: file.name ?? '', downloadPath });
    assert.ok(readFileSync(downloadPath).equals(content));
  });

  test('uploads a 20 MiB file in 8 MiB chunks; the download and sha256 match', async () => {
    const content = randomBytes(20 * 1024 * 1024 + 123);
    const path = join(work, 'big.bin');
    writeFileSync(path, content);
    const file = await ai.files.upload({ file: path, config: { mimeType: 'application/octet-stream' } });
    assert.equal(file.sizeBytes, String(content.length));
    assert.equal(Buffer.from(file.sha256Hash ?? '', 'base64').toString(), sha256Of(content));
    const downloadPath = join(work, 'big.out');
    await ai.files.download({ file, downloadPath });
    const downloaded = readFileSync(downloadPath);
    assert.equal(downloaded.length, content.length);
    assert.equal(sha256Of(downloaded), sha256Of(content));
  });

  test('honours a client-chosen name and refuses it twice', async () => {
    const blob = new Blob(['x\n'], { type: 'text/plain' });
    const file = await ai.files.upload({ file: blob, config: { name: 'my-chosen-id', mimeType: 'text/plain' } });
    assert.equal(file.name, 'files/my-chosen-id');
    await rejectsWith(ai.files.upload({ file: blob, config: { name: 'my-chosen-id', mimeType: 'text/plain' } }), 409, 'ALREADY_EXISTS');
    // Another tenant has its own namespace.
    const other = await aiB.files.upload({ file: blob, config: { name: 'my-chosen-id', mimeType: 'text/plain' } });
    assert.equal(other.name, 'files/my-chosen-id');
  });

  test('lists with paging to the end, newest first, without repeats', async () => {
    const isolated = new GoogleGenAI({ apiKey: KEY_B, httpOptions: { baseUrl: server.url } });
    const existing: string[] = [];
    for await (const file of await isolated.files.list({ config: { pageSize: 100 } })) existing.push(file.name ?? '');
    const uploaded: string[] = [];
    for (let index = 0; index < 7; index++) {
      const file = await isolated.files.upload({ file: new Blob([`line ${index}\n`]), config: { mimeType: 'text/plain' } });
      uploaded.push(file.name ?? '');
    }
    const listed: GenAIFile[] = [];
    const pager = await isolated.files.list({ config: { pageSize: 2 } });
    for await (const file of pager) listed.push(file);
    const names = listed.map((file) => file.name);
    assert.equal(new Set(names).size, names.length, 'no file twice');
    assert.deepEqual(new Set(names), new Set([...existing, ...uploaded]));
    const times = listed.map((file) => Date.parse(file.createTime ?? ''));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  });

  test('deletes a file; it is then gone from get, download and list', async () => {
    const file = await ai.files.upload({ file: new Blob(['bye\n']), config: { mimeType: 'text/plain' } });
    await ai.files.delete({ name: file.name ?? '' });
    await rejectsWith(ai.files.get({ name: file.name ?? '' }), 403, 'PERMISSION_DENIED');
    await rejectsWith(ai.files.delete({ name: file.name ?? '' }), 403, 'PERMISSION_DENIED');
    for await (const listed of await ai.files.list({ config: { pageSize: 50 } })) assert.notEqual(listed.name, file.name);
  });

  test('a missing file and a wrong key are clear errors', async () => {
    await rejectsWith(ai.files.get({ name: 'files/doesnotexist' }), 403, 'PERMISSION_DENIED');
    const wrong = new GoogleGenAI({ apiKey: 'not-a-key', httpOptions: { baseUrl: server.url } });
    await rejectsWith(wrong.files.list(), 400, 'INVALID_ARGUMENT');
    await rejectsWith(wrong.files.upload({ file: new Blob(['x']), config: { mimeType: 'text/plain' } }), 400, 'INVALID_ARGUMENT');
  });

  test("a tenant can neither see, download nor delete another tenant's file", async () => {
    const file = await ai.files.upload({ file: new Blob(['secret\n']), config: { mimeType: 'text/plain' } });
    await rejectsWith(aiB.files.get({ name: file.name ?? '' }), 403, 'PERMISSION_DENIED');
    await rejectsWith(aiB.files.delete({ name: file.name ?? '' }), 403, 'PERMISSION_DENIED');
    await rejectsWith(aiB.files.download({ file: file.name ?? '', downloadPath: join(work, 'stolen') }), 403, 'PERMISSION_DENIED');
    for await (const listed of await aiB.files.list({ config: { pageSize: 100 } })) assert.notEqual(listed.name, file.name);
    assert.equal((await ai.files.get({ name: file.name ?? '' })).name, file.name, 'the owner still has it');
  });
});

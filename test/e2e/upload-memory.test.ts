/**
 * Uploads stream: the server's peak RSS stays flat however big the file. The test pushes a
 * large file through the resumable protocol in 8 MiB chunks (as the SDKs do), through one
 * single-request upload and through the OpenAI surface's multipart `POST /v1/files`, then reads
 * the server process's VmHWM and compares it with its resident memory once started, before any
 * upload: flat means the uploads add little to what the idle server holds (which grows with its
 * features and differs between Node versions), and a buffered upload would add the whole file.
 * Size: BATCHMODE_TEST_UPLOAD_MIB (default 512; `BATCHMODE_TEST_UPLOAD_MIB=2048` gives the 2 GB
 * figure in the README).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'memory-key';
const MIB = 1024 * 1024;
const totalBytes = Number(process.env.BATCHMODE_TEST_UPLOAD_MIB ?? 512) * MIB;
/** Generous for streaming buffers and GC slack; a buffered upload would add the whole file. */
const RSS_GROWTH_LIMIT_BYTES = 128 * MIB;

describe('upload memory', () => {
  let server: ServerProcess;
  /** The started server's resident memory, before any upload. */
  let idle = 0;
  const block = randomBytes(8 * MIB);
  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_MAX_UPLOAD_BYTES: String(4 * 1024 * MIB) } });
    await (await fetch(`${server.url}/v1beta/files`, { headers: { 'x-goog-api-key': KEY } })).arrayBuffer();
    idle = server.rssBytes();
  });
  /** The peak's growth over the idle server stays small, whatever the file's size. */
  const assertFlat = (peak: number): void => assert.ok(peak - idle < RSS_GROWTH_LIMIT_BYTES, `peak RSS ${peak} bytes, ${peak - idle} over the idle ${idle}`);
  after(() => server.stop());

  test(`a ${totalBytes / MIB} MiB resumable upload keeps the server's RSS flat`, { timeout: 600_000 }, async (context) => {
    const start = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start', 'x-goog-upload-header-content-length': String(totalBytes) },
      body: '{"file": {"displayName": "big"}}',
    });
    const url = start.headers.get('x-goog-upload-url') ?? '';
    const hash = createHash('sha256');
    let final: { file: { sizeBytes: string; sha256Hash: string } } | undefined;
    for (let offset = 0; offset < totalBytes; offset += block.length) {
      const isLast = offset + block.length >= totalBytes;
      hash.update(block);
      const reply = await fetch(url, {
        method: 'POST',
        headers: { 'x-goog-upload-offset': String(offset), 'x-goog-upload-command': isLast ? 'upload, finalize' : 'upload' },
        body: block,
      });
      assert.equal(reply.status, 200, await reply.clone().text());
      if (isLast) final = (await reply.json()) as typeof final;
      else await reply.arrayBuffer();
    }
    assert.equal(final?.file.sizeBytes, String(totalBytes));
    assert.equal(final?.file.sha256Hash, Buffer.from(hash.digest('hex')).toString('base64'));
    const peak = server.peakRssBytes();
    context.diagnostic(`resumable upload of ${totalBytes / MIB} MiB: server peak RSS ${(peak / MIB).toFixed(1)} MiB (idle ${(idle / MIB).toFixed(1)} MiB)`);
    assertFlat(peak);
  });

  test(`a ${totalBytes / MIB} MiB single-request upload keeps the server's RSS flat`, { timeout: 600_000 }, async (context) => {
    const reply = await new Promise<string>((resolve, reject) => {
      const upload = request(`${server.url}/upload/v1beta/files`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'raw', 'content-length': String(totalBytes) },
      }, (response) => {
        let text = '';
        response.on('data', (data: Buffer) => (text += data.toString()));
        response.on('end', () => resolve(text));
      });
      upload.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < totalBytes) {
          sent += block.length;
          if (!upload.write(block)) return void upload.once('drain', pump);
        }
        upload.end();
      };
      pump();
    });
    assert.equal((JSON.parse(reply) as { file: { sizeBytes: string } }).file.sizeBytes, String(totalBytes));
    const peak = server.peakRssBytes();
    context.diagnostic(`single-request upload of ${totalBytes / MIB} MiB: server peak RSS ${(peak / MIB).toFixed(1)} MiB (idle ${(idle / MIB).toFixed(1)} MiB)`);
    assertFlat(peak);
  });

  test(`a ${totalBytes / MIB} MiB multipart upload on the OpenAI surface keeps the server's RSS flat`, { timeout: 600_000 }, async (context) => {
    const boundary = 'batchmode-memory-boundary';
    const head = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`
      + `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.jsonl"\r\ncontent-type: application/jsonl\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const reply = await new Promise<string>((resolve, reject) => {
      const upload = request(`${server.url}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + totalBytes + tail.length) },
      }, (response) => {
        let text = '';
        response.on('data', (data: Buffer) => (text += data.toString()));
        response.on('end', () => resolve(text));
      });
      upload.on('error', reject);
      upload.write(head);
      let sent = 0;
      const pump = (): void => {
        while (sent < totalBytes) {
          sent += block.length;
          if (!upload.write(block)) return void upload.once('drain', pump);
        }
        upload.end(tail);
      };
      pump();
    });
    assert.equal((JSON.parse(reply) as { bytes: number }).bytes, totalBytes, reply.slice(0, 300));
    const peak = server.peakRssBytes();
    context.diagnostic(`OpenAI multipart upload of ${totalBytes / MIB} MiB: server peak RSS ${(peak / MIB).toFixed(1)} MiB (idle ${(idle / MIB).toFixed(1)} MiB)`);
    assertFlat(peak);
  });
});

/**
 * The upload protocol at the HTTP level, where the SDKs do not go: size limits at start,
 * offsets, resuming after a broken chunk, query and cancel, multipart and raw uploads, the
 * upload id as the only credential, and the JSON error shape of every failure.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stagingKey } from '../../src/core/blob-keys.js';
import { localBlobRoot } from '../../src/store/local/local-blob-store.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { pollUntil } from '../support/poll.js';

type InProcessServer = Awaited<ReturnType<typeof startInProcessServer>>;

const KEY = 'upload-key';
const OTHER_KEY = 'other-key';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown> & { error?: { code: number; status: string; message: string } };
}

describe('upload protocol', () => {
  let server: InProcessServer;
  const call = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> => {
    const response = await fetch(path.startsWith('http') ? path : `${server.url}${path}`, {
      method, headers: init.headers, body: init.body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as ReturnType<Reply['json']> };
  };
  const start = async (size: number | undefined, body = '{"file": {"displayName": "t", "mimeType": "text/plain"}}'): Promise<string> => {
    const reply = await call('POST', '/upload/v1beta/files', {
      headers: {
        'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start',
        ...(size === undefined ? {} : { 'x-goog-upload-header-content-length': String(size) }),
        'content-type': 'application/json',
      },
      body,
    });
    assert.equal(reply.status, 200, reply.text);
    const url = reply.headers.get('x-goog-upload-url');
    assert.ok(url);
    return url;
  };
  const chunk = (url: string, offset: number, bytes: Buffer, command: string, headers: Record<string, string> = {}): Promise<Reply> =>
    call('POST', url, { headers: { 'x-goog-upload-offset': String(offset), 'x-goog-upload-command': command, 'content-type': 'application/json', ...headers }, body: bytes });
  const assertError = (reply: Reply, status: number, rpcStatus: string, message?: RegExp): void => {
    assert.equal(reply.status, status, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    const body = reply.json();
    assert.equal(body.error?.code, status);
    assert.equal(body.error?.status, rpcStatus);
    if (message) assert.match(body.error?.message ?? '', message);
  };
  /** How many bytes of an upload the server holds staged (its blob on the local disk), 0 when none. */
  const stagedBytes = (url: string) => async (): Promise<number> => {
    const uploadId = new URL(url).searchParams.get('upload_id') ?? '';
    return (await stat(join(localBlobRoot(server.dataDir), stagingKey(uploadId))).catch(() => undefined))?.size ?? 0;
  };
  const sha = (bytes: Buffer): string => Buffer.from(createHash('sha256').update(bytes).digest('hex')).toString('base64');

  before(async () => {
    server = await startInProcessServer({ apiKeys: `${KEY},${OTHER_KEY}` });
  });
  after(() => server.close());

  test('a declared size over 2 GiB is refused at start', async () => {
    const reply = await call('POST', '/upload/v1beta/files', {
      headers: { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start', 'x-goog-upload-header-content-length': String(2 * 1024 ** 3 + 1) },
      body: '{}',
    });
    assertError(reply, 400, 'INVALID_ARGUMENT', /2147483649 bytes exceeds the maximum of 2147483648 bytes \(2 GiB\)/);
  });

  test('chunks at offsets, no key needed; a gap is refused with the received size; finalize answers {file}', async () => {
    const data = randomBytes(300_000);
    const url = await start(data.length);
    assert.match(url, /\/upload\/v1beta\/files\?upload_id=[a-z0-9]{37}&upload_protocol=resumable$/);
    const first = await chunk(url, 0, data.subarray(0, 100_000), 'upload');
    assert.equal(first.headers.get('x-goog-upload-status'), 'active');
    const gap = await chunk(url, 200_000, data.subarray(200_000), 'upload');
    assertError(gap, 400, 'INVALID_ARGUMENT', /resume at offset 100000/);
    assert.equal(gap.headers.get('x-goog-upload-size-received'), '100000');
    // A chunk sent again after a lost answer overlaps: the overlap is dropped.
    const again = await chunk(url, 50_000, data.subarray(50_000, 200_000), 'upload');
    assert.equal(again.headers.get('x-goog-upload-size-received'), '200000');
    const final = await chunk(url, 200_000, data.subarray(200_000), 'upload, finalize');
    assert.equal(final.status, 200);
    assert.equal(final.headers.get('x-goog-upload-status'), 'final');
    const file = final.json().file as { name: string; sizeBytes: string; sha256Hash: string };
    assert.equal(file.sizeBytes, String(data.length));
    assert.equal(file.sha256Hash, sha(data));
    const download = await call('GET', `/v1beta/${file.name}:download?alt=media&key=${KEY}`);
    assert.equal(download.status, 200);
    const finishedAgain = await chunk(url, 300_000, Buffer.alloc(0), 'finalize');
    assertError(finishedAgain, 404, 'NOT_FOUND');
  });

  test('a chunk cut off mid-way loses nothing: query tells where to resume, the hash is right', async () => {
    const data = randomBytes(2_000_000);
    const url = await start(data.length);
    const staged = stagedBytes(url);
    const partial = httpRequest(url, { method: 'POST', headers: { 'x-goog-upload-offset': '0', 'x-goog-upload-command': 'upload', 'content-length': String(data.length) } });
    const cut = new Promise<void>((resolve) => partial.on('close', () => resolve()));
    partial.on('error', () => undefined);
    partial.write(data.subarray(0, 700_000));
    // Cut the connection once the server is writing the chunk, then wait until it has dropped it.
    await pollUntil(staged, (bytes) => bytes > 0, 10_000, 5, 'the first bytes of the chunk on the server');
    partial.destroy();
    await cut;
    await pollUntil(staged, (bytes) => bytes === 0, 10_000, 5, 'the server to drop the cut chunk');
    const query = await chunk(url, 0, Buffer.alloc(0), 'query');
    assert.equal(query.headers.get('x-goog-upload-status'), 'active');
    const received = Number(query.headers.get('x-goog-upload-size-received'));
    assert.equal(received, 0, 'a chunk that did not arrive whole is not counted');
    const final = await chunk(url, received, data.subarray(received), 'upload, finalize');
    assert.equal(final.status, 200, final.text);
    assert.equal((final.json().file as { sha256Hash: string }).sha256Hash, sha(data));
  });

  test('more bytes than declared are refused and the upload can still finish', async () => {
    const data = randomBytes(1000);
    const url = await start(data.length);
    assertError(await chunk(url, 0, randomBytes(1500), 'upload'), 400, 'INVALID_ARGUMENT', /1000 bytes declared/);
    assertError(await chunk(url, 0, data.subarray(0, 10), 'upload, finalize'), 400, 'INVALID_ARGUMENT', /finalized with 10 bytes, but 1000/);
    const final = await chunk(url, 10, data.subarray(10), 'upload, finalize');
    assert.equal(final.status, 200, final.text);
    assert.equal((final.json().file as { sha256Hash: string }).sha256Hash, sha(data));
  });

  test("another tenant's key cannot touch an upload; cancel ends it", async () => {
    const url = await start(10);
    assertError(await chunk(url, 0, Buffer.from('0123456789'), 'upload', { 'x-goog-api-key': OTHER_KEY }), 404, 'NOT_FOUND');
    const cancelled = await chunk(url, 0, Buffer.alloc(0), 'cancel');
    assert.equal(cancelled.headers.get('x-goog-upload-status'), 'cancelled');
    assertError(await chunk(url, 0, Buffer.from('0123456789'), 'upload'), 404, 'NOT_FOUND');
    assertError(await chunk(`${server.url}/upload/v1beta/files?upload_id=guess&upload_protocol=resumable`, 0, Buffer.alloc(1), 'upload'), 404, 'NOT_FOUND');
  });

  test('a 0-byte file finalizes (what Python sends for an empty file)', async () => {
    const url = await start(0);
    const final = await chunk(url, 0, Buffer.alloc(0), 'upload, finalize');
    assert.equal(final.status, 200, final.text);
    assert.equal((final.json().file as { sizeBytes: string }).sizeBytes, '0');
  });

  test('multipart and raw uploads store the bytes with their metadata', async () => {
    const content = Buffer.from('{"key":"a","request":{"contents":[{"parts":[{"text":"hi"}]}]}}\n');
    const body = Buffer.concat([
      Buffer.from('--BOUNDARY\r\nContent-Type: application/json\r\n\r\n{"file": {"display_name": "multi", "name": "files/multi-1"}}\r\n--BOUNDARY\r\nContent-Type: application/jsonl\r\n\r\n'),
      content,
      Buffer.from('\r\n--BOUNDARY--\r\n'),
    ]);
    const multi = await call('POST', '/upload/v1beta/files?uploadType=multipart', {
      headers: { 'x-goog-api-key': KEY, 'content-type': 'multipart/related; boundary=BOUNDARY' }, body,
    });
    assert.equal(multi.status, 200, multi.text);
    const file = multi.json().file as { name: string; displayName: string; mimeType: string; sha256Hash: string };
    assert.deepEqual([file.name, file.displayName, file.mimeType, file.sha256Hash], ['files/multi-1', 'multi', 'application/jsonl', sha(content)]);

    const raw = await call('POST', '/upload/v1beta/files', {
      headers: { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'raw', 'content-type': 'text/csv' }, body: 'a,b\n1,2\n',
    });
    assert.equal(raw.status, 200, raw.text);
    assert.equal((raw.json().file as { mimeType: string }).mimeType, 'text/csv');
  });

  test('bad bodies and requests are google.rpc.Status errors naming what is wrong', async () => {
    const headers = { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start' };
    assertError(await call('POST', '/upload/v1beta/files', { headers, body: '{"file": ' }), 400, 'INVALID_ARGUMENT', /Invalid JSON payload/);
    assertError(await call('POST', '/upload/v1beta/files', { headers, body: '{"file": {"colour": "red"}}' }), 400, 'INVALID_ARGUMENT', /"colour" at 'file'/);
    assertError(await call('POST', '/upload/v1beta/files', { headers, body: '{"file": {"name": "files/Bad_Name"}}' }), 400, 'INVALID_ARGUMENT', /Invalid file name/);
    assertError(await call('POST', '/upload/v1beta/files', { headers: { 'x-goog-api-key': KEY }, body: 'x' }), 400, 'INVALID_ARGUMENT', /upload protocol/);
    assertError(await call('GET', `/v1beta/nothing-here?key=${KEY}`), 404, 'NOT_FOUND');
    assertError(await call('PATCH', `/v1beta/files?key=${KEY}`), 405, 'INVALID_ARGUMENT');
    assertError(await call('GET', `/v1beta/files?pageToken=zzz&key=${KEY}`), 400, 'INVALID_ARGUMENT', /pageToken/);
    assertError(await call('GET', '/v1beta/files'), 403, 'PERMISSION_DENIED', /unregistered callers/);
  });

  test('downloads honour Range, and DELETE answers a JSON {}', async () => {
    const url = await start(10);
    const final = await chunk(url, 0, Buffer.from('0123456789'), 'upload, finalize');
    const name = (final.json().file as { name: string }).name;
    const ranged = await call('GET', `/download/v1beta/${name}:download?alt=media`, { headers: { 'x-goog-api-key': KEY, range: 'bytes=2-5' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.text, '2345');
    assert.equal(ranged.headers.get('content-range'), 'bytes 2-5/10');
    assertError(await call('GET', `/v1beta/${name}:download?alt=media`, { headers: { 'x-goog-api-key': KEY, range: 'bytes=20-' } }), 416, 'INVALID_ARGUMENT');
    const deleted = await call('DELETE', `/v1beta/${name}`, { headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.text, '{}');
    assert.match(deleted.headers.get('content-type') ?? '', /^application\/json/);
  });

  test('a metadata-only create makes an empty file', async () => {
    const reply = await call('POST', `/v1beta/files?key=${KEY}`, { body: "{'file': {'display_name': 'empty'}}" });
    assert.equal(reply.status, 200, reply.text);
    const file = reply.json().file as { sizeBytes: string; displayName: string };
    assert.deepEqual([file.sizeBytes, file.displayName], ['0', 'empty']);
  });
});

describe('file retention', () => {
  test('a file past its expiration time is gone', async () => {
    const server = await startInProcessServer({ apiKeys: KEY, fileRetentionHours: 0.5 / 3600 });
    try {
      const reply = await fetch(`${server.url}/upload/v1beta/files`, {
        method: 'POST', headers: { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'raw' }, body: 'short-lived',
      });
      const { file } = (await reply.json()) as { file: { name: string; createTime: string; expirationTime: string } };
      const expiresAt = Date.parse(file.expirationTime);
      assert.equal(expiresAt - Date.parse(file.createTime), 500);
      // Asked until it is gone; each answer with when it was asked and when it came.
      const answers: { askedAt: number; answeredAt: number; status: number }[] = [];
      const ask = async (): Promise<{ status: number }> => {
        const askedAt = Date.now();
        const response = await fetch(`${server.url}/v1beta/${file.name}?key=${KEY}`);
        await response.body?.cancel();
        const { status } = response;
        answers.push({ askedAt, answeredAt: Date.now(), status });
        return { status };
      };
      assert.equal((await ask()).status, 200, 'the file is there before its expiration time');
      await pollUntil(ask, (answer) => answer.status === 403, 10_000, 25, 'the file to expire');
      for (const { askedAt, answeredAt, status } of answers) {
        if (status === 200) assert.ok(askedAt <= expiresAt, `still there when asked ${askedAt - expiresAt} ms after its expiration time`);
        else assert.ok(status === 403 && answeredAt >= expiresAt, `${status} answered ${expiresAt - answeredAt} ms before its expiration time`);
      }
    } finally {
      await server.close();
    }
  });
});

// Downloads over a flaky link, through a real proxy to a real server: a connection cut mid-body
// is taken up again (the rest asked for with Range, or the whole file again) and the file on
// disk is complete; into a stream, a failure before the first byte is tried again, one after
// bytes went out is not (they cannot be taken back).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ApiError } from './api-error.js';
import { startProxiedServer, type ProxiedServer } from './testing/proxied-server.js';

const work = mkdtempSync(join(tmpdir(), 'batchmode-download-client-'));
const SIZE = 3 * 1024 * 1024 + 17;
const content = randomBytes(SIZE);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
let env: ProxiedServer;
let fileName: string;
before(async () => {
  env = await startProxiedServer({ workers: 'false' });
  writeFileSync(join(work, 'source.bin'), content);
  fileName = (await env.direct.uploadFile(join(work, 'source.bin'))).name;
});
after(async () => {
  await env.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => env.reset());

const downloads = () => env.proxy.seen.log.filter((entry) => entry.url.includes(':download'));

describe('downloadFile through a flaky link', () => {
  test('a connection cut mid-body is taken up again and the file is complete', async () => {
    env.proxy.failNext(1, 'drop-response', { afterBytes: 1_000_000, when: (request) => request.url.includes(':download') });
    env.proxy.failNext(1, 503, { when: (request) => request.url.includes(':download') });
    const path = join(work, 'out.bin');
    writeFileSync(path, 'stale bytes of an earlier run that must go');
    const progress: number[] = [];
    const bytes = await env.client.downloadFile(fileName, path, (sent) => progress.push(sent));
    assert.equal(bytes, SIZE);
    assert.equal(sha(readFileSync(path)), sha(content));
    assert.equal(progress.at(-1), SIZE);
    const [cut, busy, resumed] = downloads();
    assert.deepEqual([cut?.failed, cut?.range, busy?.failed], ['drop-response', undefined, 503]);
    assert.match(resumed?.range ?? '', /^bytes=\d+-$/, 'the rest is asked for');
    assert.ok(Number(/\d+/.exec(resumed?.range ?? '')?.[0]) > 0);
    assert.deepEqual(env.notices.map((notice) => notice.what), ['files.download', 'files.download']);
  });

  test('a connection cut before the body starts: downloaded again whole', async () => {
    env.proxy.failNext(1, 'drop-response', { when: (request) => request.url.includes(':download') });
    const path = join(work, 'again.bin');
    assert.equal(await env.client.downloadFile(fileName, path), SIZE);
    assert.equal(sha(readFileSync(path)), sha(content));
    assert.deepEqual(downloads().map((entry) => entry.range), [undefined, undefined]);
  });
});

describe('downloadFileTo through a flaky link', () => {
  const collect = (): { sink: PassThrough; bytes: () => Buffer } => {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (part: Buffer) => parts.push(part));
    return { sink, bytes: () => Buffer.concat(parts) };
  };

  test('a failure before the first byte is tried again', async () => {
    env.proxy.failNext(1, 'drop-response', { when: (request) => request.url.includes(':download') });
    env.proxy.failNext(1, 502, { when: (request) => request.url.includes(':download') });
    const { sink, bytes } = collect();
    assert.equal(await env.client.downloadFileTo(fileName, sink), SIZE);
    assert.equal(sha(bytes()), sha(content));
    assert.equal(env.notices.length, 2);
  });

  test('a connection cut after bytes went out fails: they cannot be taken back', async () => {
    env.proxy.failNext(1, 'drop-response', { afterBytes: 100_000, when: (request) => request.url.includes(':download') });
    const { sink, bytes } = collect();
    await assert.rejects(env.client.downloadFileTo(fileName, sink), (error: ApiError) => error.httpStatus === 0);
    assert.ok(bytes().length > 0 && bytes().length < SIZE);
    assert.equal(downloads().length, 1);
  });
});

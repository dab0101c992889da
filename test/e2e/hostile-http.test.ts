/**
 * Hostile input over raw sockets against a `batchmode serve` process: malformed request lines
 * and targets, bad escapes in every route's parameters, control bytes, oversize URL, headers
 * and bodies, conflicting Content-Length and Transfer-Encoding, broken chunked encoding, deep
 * nesting, slow and idle connections, and clients that leave in the middle of a download or a
 * results stream.
 *
 * Every case records its answer (status line, or 'closed', or 'pending' for a request the
 * server is still rightly waiting on) and asserts: never a 5xx, a google.rpc JSON body
 * wherever there is an answer, and right after it `/healthz` answers 200 and the process is
 * alive. The answers are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'hostile-key';
const MIB = 1024 * 1024;
const BAD = '%E0%A4%A';

interface Answer {
  /** The status code, or undefined when no complete answer came. */
  status: number | undefined;
  contentType: string | undefined;
  body: string;
  /** 'closed' (the server ended the connection without an answer) or 'pending' (no answer yet). */
  outcome: 'answered' | 'closed' | 'pending';
}

interface SendOptions {
  /** How long to wait for an answer after the last write (ms). */
  waitMs?: number;
  /** Called with the socket after the payload is written (further writes, trickling). */
  then?: (socket: Socket) => Promise<void>;
}

/** Writes `payload` on a fresh connection and reads one HTTP answer (or its absence). */
function send(port: number, payload: string | Buffer | readonly (string | Buffer)[], options: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Answer['outcome']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(received, outcome));
    };
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (isComplete(received)) finish('answered');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(isComplete(received) ? 'answered' : 'closed'));
    socket.once('connect', () => {
      void (async () => {
        const parts: readonly (string | Buffer)[] = typeof payload === 'string' || Buffer.isBuffer(payload) ? [payload] : payload;
        for (const part of parts) {
          if (socket.destroyed) break;
          if (!socket.write(part)) await drainOrClose(socket);
        }
        if (options.then && !socket.destroyed) await options.then(socket);
        timer = setTimeout(() => finish('pending'), options.waitMs ?? 3_000);
      })();
    });
  });
}

/** Waits until the socket takes more bytes, or is gone. */
function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

/** Whether `data` holds a whole response: headers and a body of its content-length. */
function isComplete(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && data.length >= end + 4 + Number(length);
}

function parseAnswer(data: Buffer, outcome: Answer['outcome']): Answer {
  const end = data.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(data.toString('latin1', 0, 16))?.[1];
  if (end === -1 || status === undefined) return { status: undefined, contentType: undefined, body: '', outcome: outcome === 'answered' ? 'closed' : outcome };
  const head = data.subarray(0, end).toString('latin1');
  return {
    status: Number(status),
    contentType: /\r\ncontent-type:\s*([^\r]+)/i.exec(head)?.[1],
    body: data.subarray(end + 4).toString('utf8'),
    outcome: 'answered',
  };
}

function describeAnswer(answer: Answer): string {
  if (answer.status === undefined) return answer.outcome;
  const rpc = /"status":"([A-Z_]+)"/.exec(answer.body)?.[1];
  const message = /"message":"((?:[^"\\]|\\.)*)"/.exec(answer.body)?.[1];
  return `${answer.status}${rpc ? ` ${rpc}` : ''}${message ? `: ${message.slice(0, 90)}` : ''}`;
}

const request = (method: string, target: string, headers: Record<string, string> = {}, body = ''): string =>
  `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${Object.entries({ ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) })
    .map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`;
const withKey = (method: string, target: string, headers: Record<string, string> = {}, body = ''): string =>
  request(method, target, { 'x-goog-api-key': KEY, ...headers }, body);
const deepJson = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** A hostile case: the bytes, and the statuses (or outcomes) that are right for it. */
interface Case {
  name: string;
  payload: string | Buffer | readonly (string | Buffer)[];
  expect: readonly (number | Answer['outcome'])[];
  options?: SendOptions;
  /** A fragment the error message must contain. */
  message?: string;
}

describe('hostile input over raw sockets', () => {
  let server: ServerProcess;
  let port: number;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-hostile-'));

  before(async () => {
    const config = join(work, 'models.json');
    // gemini-2.5-pro never answers in time: a batch on it stays RUNNING for the follow case.
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'gemini-2.5-pro', backend: { type: 'simulated', latencyMs: 600_000 } },
      { name: 'gemini-*', backend: { type: 'simulated' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config } });
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const assertAlive = async (): Promise<void> => {
    assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(health.status, 200);
    await health.body?.cancel();
  };

  const check = async (context: TestContext, item: Case): Promise<void> => {
    const answer = await send(port, item.payload, item.options);
    context.diagnostic(`${item.name} → ${describeAnswer(answer)}`);
    if (answer.status !== undefined) {
      assert.ok(answer.status < 500, `${item.name}: ${answer.status} ${answer.body}`);
      assert.match(answer.contentType ?? '', /^application\/json/, `${item.name}: content-type ${answer.contentType}`);
      const body = JSON.parse(answer.body) as { error?: { code?: number; status?: unknown; message?: string } };
      if (answer.status >= 400) {
        assert.equal(body.error?.code, answer.status, `${item.name}: ${answer.body}`);
        assert.equal(typeof body.error?.status, 'string', `${item.name}: ${answer.body}`);
        if (item.message) assert.ok(body.error?.message?.includes(item.message), `${item.name}: ${answer.body}`);
      }
    }
    assert.ok(item.expect.includes(answer.status ?? answer.outcome), `${item.name}: got ${describeAnswer(answer)}, expected ${item.expect.join(' or ')}`);
    await assertAlive();
  };

  const checkAll = async (context: TestContext, cases: readonly Case[]): Promise<void> => {
    for (const item of cases) await check(context, item);
  };

  test('malformed request lines and targets', async (context) => {
    await checkAll(context, [
      { name: 'absolute-form target that is not a URL (GET http://[)', payload: request('GET', 'http://['), expect: [400], message: 'Malformed request target' },
      { name: 'absolute-form target with a bad IPv6 host', payload: request('GET', 'http://[::1/healthz'), expect: [400] },
      { name: 'absolute-form target with a port out of range', payload: request('GET', 'http://localhost:99999/healthz'), expect: [400] },
      { name: 'absolute-form target with another scheme', payload: request('GET', 'ftp://localhost/healthz'), expect: [400] },
      { name: 'absolute-form target that is valid', payload: request('GET', 'http://localhost/healthz'), expect: [200] },
      { name: 'asterisk-form target (OPTIONS *)', payload: request('OPTIONS', '*'), expect: [400] },
      { name: 'target starting with //', payload: request('GET', '//healthz'), expect: [404] },
      { name: 'dot segments in the target', payload: request('GET', '/v1beta/../healthz'), expect: [200] },
      { name: 'space inside the target', payload: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'HTTP/1.1 without Host', payload: 'GET /healthz HTTP/1.1\r\n\r\n', expect: [400], message: 'Host' },
      { name: 'unknown method', payload: 'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'lowercase method', payload: 'get /healthz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'method not allowed on a route', payload: request('PATCH', '/healthz'), expect: [400, 405] },
      { name: 'HTTP version 9.9', payload: 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'HTTP/1.0 without Host', payload: 'GET /healthz HTTP/1.0\r\n\r\n', expect: [200] },
      { name: 'HTTP/0.9 request line', payload: 'GET /healthz\r\n\r\n', expect: [200, 400, 'closed'] },
      { name: 'LF-only line endings', payload: 'GET /healthz HTTP/1.1\nHost: x\n\n', expect: [400] },
      { name: 'bare CR inside the request line', payload: 'GET /heal\rthz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'HTTP/2 preface (PRI * HTTP/2.0)', payload: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expect: [400, 'closed'] },
      { name: 'TLS ClientHello bytes', payload: Buffer.from('16030100a5010000a10303000102030405060708090a0b0c0d0e0f', 'hex'), expect: [400, 'closed'] },
      { name: 'plain text', payload: 'hello, is anybody there?\r\n\r\n', expect: [400, 'closed'] },
      { name: '4 KiB of random bytes', payload: Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 256)), expect: [400, 'closed'] },
      { name: 'CONNECT (proxy request)', payload: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', expect: [405] },
      { name: 'unknown Expect value', payload: request('GET', '/healthz', { expect: 'the-unexpected' }), expect: [417] },
      { name: 'websocket upgrade request', payload: request('GET', '/healthz', { connection: 'Upgrade', upgrade: 'websocket' }), expect: [200] },
    ]);
  });

  test("bad escapes and control characters in every route's parameters", async (context) => {
    const routes: [string, string][] = [
      ['GET', `/v1beta/batches/${BAD}`], ['DELETE', `/v1beta/batches/${BAD}`], ['POST', `/v1beta/batches/${BAD}:cancel`],
      ['GET', `/v1beta/batches/${BAD}:cancel`], ['POST', `/v1beta/batches/${BAD}:delete`], ['GET', `/v1beta/batches/${BAD}:progress`],
      ['GET', `/v1beta/batches/${BAD}:results`], ['GET', `/v1beta/batches/${BAD}:results?follow=true`],
      ['GET', `/v1beta/files/${BAD}`], ['DELETE', `/v1beta/files/${BAD}`], ['GET', `/v1beta/files/${BAD}:download`],
      ['GET', `/download/v1beta/files/${BAD}:download?alt=media`],
      ['GET', `/v1beta/models/${BAD}`], ['POST', `/v1beta/models/${BAD}:generateContent`], ['POST', `/v1beta/models/${BAD}:streamGenerateContent`],
      ['POST', `/v1beta/models/${BAD}:embedContent`], ['POST', `/v1beta/models/${BAD}:batchEmbedContents`], ['POST', `/v1beta/models/${BAD}:countTokens`],
      ['POST', `/v1beta/models/${BAD}:batchGenerateContent`], ['POST', `/v1beta/models/${BAD}:asyncBatchEmbedContent`],
    ];
    const cases: Case[] = routes.flatMap(([method, path]): Case[] => {
      const param = /batches|operations/.test(path) ? 'batchId' : path.includes('files') ? 'fileId' : 'model';
      return [
        { name: `${method} ${path}`, payload: withKey(method, path, {}, method === 'POST' ? '{}' : ''), expect: [400], message: `'${param}'` },
        { name: `${method} ${path.replace(BAD, '%00')}`, payload: withKey(method, path.replace(BAD, '%00'), {}, method === 'POST' ? '{}' : ''), expect: [400], message: 'control character' },
        { name: `${method} ${path} without a key`, payload: request(method, path), expect: [400, 403] },
      ];
    });
    await checkAll(context, [
      ...cases,
      { name: 'operations route (none exists)', payload: withKey('GET', `/v1beta/operations/${BAD}`), expect: [404] },
      { name: 'upload chunk with a bad escape in upload_id', payload: request('POST', `/upload/v1beta/files?upload_id=${BAD}`, { 'x-goog-upload-command': 'upload, finalize' }, 'x'), expect: [404] },
      { name: 'upload chunk with NUL in upload_id', payload: request('POST', '/upload/v1beta/files?upload_id=%00', { 'x-goog-upload-command': 'upload, finalize' }, 'x'), expect: [400] },
      { name: 'upload start with a bad escape in the query', payload: withKey('POST', `/upload/v1beta/files?uploadType=${BAD}`, {}, '{}'), expect: [400] },
      { name: 'bad escape in ?key=', payload: request('GET', `/v1beta/batches?key=${BAD}`), expect: [400] },
      { name: 'bad escape in ?pageToken=', payload: withKey('GET', `/v1beta/batches?pageToken=${BAD}`), expect: [400] },
      { name: 'bad escape in ?pageSize=', payload: withKey('GET', `/v1beta/files?pageSize=${BAD}`), expect: [400] },
      { name: 'bad escape in the path of an unknown route', payload: request('GET', `/${BAD}`), expect: [404] },
    ]);
  });

  test('control bytes in the request line and headers', async (context) => {
    await checkAll(context, [
      { name: 'SOH in the path', payload: 'GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'NUL in the path', payload: 'GET /heal\x00thz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'DEL in the path', payload: 'GET /heal\x7fthz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
      { name: 'raw UTF-8 bytes in the path', payload: Buffer.from('GET /héalthz HTTP/1.1\r\nHost: x\r\n\r\n'), expect: [400] },
      { name: 'SOH in a header value', payload: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n', expect: [400] },
      { name: 'NUL in a header name', payload: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX\x00A: b\r\n\r\n', expect: [400] },
      { name: 'bare CR in a header value', payload: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', expect: [400] },
      { name: 'obsolete line folding', payload: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n', expect: [400] },
      { name: 'space before the colon', payload: 'GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n', expect: [400] },
      { name: 'header line without a colon', payload: 'GET /healthz HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n', expect: [400] },
      { name: 'control character in the API key', payload: 'GET /v1beta/batches HTTP/1.1\r\nHost: x\r\nx-goog-api-key: a\x1bb\r\n\r\n', expect: [400] },
      { name: 'Latin-1 byte in a header value (allowed)', payload: Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: caf\xe9\r\n\r\n', 'latin1'), expect: [200] },
    ]);
  });

  test('oversize URL, headers and bodies', async (context) => {
    const bigBody = Buffer.alloc(MIB, 0x20);
    const chunk = (data: Buffer | string): Buffer => Buffer.concat([Buffer.from(`${Buffer.byteLength(data).toString(16)}\r\n`), Buffer.from(data), Buffer.from('\r\n')]);
    const inlineHead = Buffer.from(withKey('POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent', { 'transfer-encoding': 'chunked' }));
    const started = performance.now();
    await checkAll(context, [
      { name: 'URL of 17 KiB', payload: request('GET', `/healthz?pad=${'a'.repeat(17 * 1024)}`), expect: [414] },
      { name: 'URL of 70 KiB', payload: request('GET', `/healthz?pad=${'a'.repeat(70 * 1024)}`), expect: [431] },
      { name: 'one header value of 1 MB', payload: request('GET', '/healthz', { 'x-big': 'a'.repeat(MIB) }), expect: [431] },
      { name: '200 headers of 500 bytes', payload: `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, index) => `x-h${index}: ${'b'.repeat(500)}\r\n`).join('')}\r\n`, expect: [431] },
      { name: '5,000 tiny headers', payload: `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 5000 }, (_, index) => `h${index}: v\r\n`).join('')}\r\n`, expect: [200, 431] },
      {
        name: 'JSON body declaring 64 MiB (Content-Length), 1 MiB sent',
        payload: [withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { 'content-length': String(64 * MIB) }), bigBody],
        expect: [413],
      },
      {
        name: 'inline batch of 21 MiB, chunked, no Content-Length',
        payload: [inlineHead, chunk('{"batch":{"inputConfig":{"requests":{"requests":['), ...Array.from({ length: 21 }, () => chunk(bigBody)), chunk(']}}}'), '0\r\n\r\n'],
        expect: [413, 'closed'],
        message: 'Inline batch requests must total under',
      },
      {
        name: 'generateContent body of 40 MiB, chunked, never finished',
        payload: [withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { 'transfer-encoding': 'chunked' }), ...Array.from({ length: 40 }, () => chunk(bigBody))],
        expect: [413, 'closed'],
      },
      { name: 'chunk extension of 100 KiB', payload: `${withKey('POST', '/v1beta/models/gemini-2.5-flash:countTokens', { 'transfer-encoding': 'chunked' })}2;ext=${'e'.repeat(100 * 1024)}\r\n{}\r\n0\r\n\r\n`, expect: [400, 413] },
    ]);
    context.diagnostic(`oversize cases took ${Math.round(performance.now() - started)} ms; server peak RSS ${Math.round(server.peakRssBytes() / MIB)} MiB`);
  });

  test('conflicting Content-Length and Transfer-Encoding, broken chunked encoding', async (context) => {
    const post = 'POST /v1beta/models/gemini-2.5-flash:countTokens HTTP/1.1\r\nHost: x\r\nx-goog-api-key: hostile-key\r\n';
    await checkAll(context, [
      { name: 'Content-Length and Transfer-Encoding: chunked', payload: `${post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, expect: [400] },
      { name: 'Transfer-Encoding: chunked then Content-Length', payload: `${post}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`, expect: [400] },
      { name: 'two different Content-Length headers', payload: `${post}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x`, expect: [400] },
      { name: 'Content-Length: 2, 3', payload: `${post}Content-Length: 2, 3\r\n\r\n{}x`, expect: [400] },
      { name: 'negative Content-Length', payload: `${post}Content-Length: -1\r\n\r\n`, expect: [400] },
      { name: 'Content-Length that is not a number', payload: `${post}Content-Length: ten\r\n\r\n`, expect: [400] },
      { name: 'Content-Length beyond 2^64', payload: `${post}Content-Length: 99999999999999999999999\r\n\r\n`, expect: [400] },
      { name: 'Transfer-Encoding: gzip', payload: `${post}Transfer-Encoding: gzip\r\n\r\nabc`, expect: [400] },
      { name: 'Transfer-Encoding: chunked, gzip', payload: `${post}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`, expect: [400] },
      { name: 'Transfer-Encoding: xchunked', payload: `${post}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, expect: [400] },
      { name: 'chunk size that is not hex', payload: `${post}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, expect: [400] },
      { name: 'chunk size overflowing 64 bits', payload: `${post}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n{}\r\n0\r\n\r\n`, expect: [400] },
      { name: 'chunk longer than its size', payload: `${post}Transfer-Encoding: chunked\r\n\r\n2\r\n{}}}}\r\n0\r\n\r\n`, expect: [400] },
      { name: 'chunk without its CRLF', payload: `${post}Transfer-Encoding: chunked\r\n\r\n2\r\n{}0\r\n\r\n`, expect: [400] },
      { name: 'negative chunk size', payload: `${post}Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n`, expect: [400] },
      { name: 'chunked body cut off, then the client closes', payload: `${post}Transfer-Encoding: chunked\r\n\r\n10\r\n{"contents":`, options: { then: async (socket) => { socket.end(); } }, expect: [400, 'closed'] },
      { name: 'request smuggling attempt (CL.TE)', payload: `${post}Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1beta/batches HTTP/1.1\r\nHost: x\r\n\r\n`, expect: [400] },
    ]);
  });

  test('deep nesting', async (context) => {
    const deep = deepJson(100_000);
    const inline = `{"batch":{"inputConfig":{"requests":{"requests":[{"request":{"contents":${deep}}}]}}}}`;
    const multipart = `--b\r\ncontent-type: application/json\r\n\r\n{"file":${deep}}\r\n--b\r\ncontent-type: text/plain\r\n\r\nhello\r\n--b--\r\n`;
    await checkAll(context, [
      { name: 'generateContent body nested 100,000 levels', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', {}, deep), expect: [400], message: 'nesting deeper than 512 levels' },
      { name: 'generateContent contents nested 100,000 levels', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', {}, `{"contents":${deep}}`), expect: [400], message: 'nesting deeper' },
      {
        name: 'functionCall args nested 100,000 levels (a 500, stack overflow, before)',
        payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', {}, `{"contents":[{"parts":[{"functionCall":{"name":"f","args":{"a":${deep}}}}]}]}`),
        expect: [400], message: 'nesting deeper',
      },
      { name: 'inline batch with a request nested 100,000 levels', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent', {}, inline), expect: [400], message: 'nesting deeper' },
      { name: 'lenient (single-quoted) body nested 100,000 levels', payload: withKey('POST', '/v1beta/files', {}, `{'file': ${"{'a':".repeat(100_000)}1${'}'.repeat(100_000)}}`), expect: [400], message: 'nesting deeper' },
      { name: 'upload start metadata nested 100,000 levels', payload: withKey('POST', '/upload/v1beta/files', { 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start' }, `{"file":${deep}}`), expect: [400], message: 'nesting deeper' },
      { name: 'multipart upload metadata nested 100,000 levels', payload: withKey('POST', '/upload/v1beta/files?uploadType=multipart', { 'content-type': 'multipart/related; boundary=b' }, multipart), expect: [400] },
      { name: 'nesting of 500 levels is still read', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:countTokens', {}, `{"contents":[{"parts":[{"text":"x"}]}],"x":${deepJson(500)}}`), expect: [200, 400] },
    ]);
    // A JSONL input file with one line nested 100,000 levels: its batch is refused, or fails; never a crash.
    const headers = { 'x-goog-api-key': KEY };
    const upload = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' },
      body: `{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}]}}\n{"key":"b","request":{"contents":${deep}}}\n`,
    });
    const { file } = (await upload.json()) as { file: { name: string } };
    const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
    });
    const createdBody = await created.text();
    context.diagnostic(`batch from a JSONL file with a line nested 100,000 levels → ${created.status} ${createdBody.slice(0, 160)}`);
    assert.ok(created.status < 500, createdBody);
    await assertAlive();
  });

  test('JSON bodies of every shape on every JSON route, and odd upload headers', async (context) => {
    const routes: [string, string][] = [
      ['POST', '/v1beta/models/gemini-2.5-flash:generateContent'], ['POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
      ['POST', '/v1beta/models/gemini-embedding-001:embedContent'], ['POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents'],
      ['POST', '/v1beta/models/gemini-2.5-flash:countTokens'], ['POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent'],
      ['POST', '/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent'], ['POST', '/v1beta/files'],
    ];
    const bodies = ['null', '5', '"text"', '[]', 'true', '{"a":', '{}', '\ufeff{}', '{"__proto__":{"polluted":1}}'];
    const cases: Case[] = routes.flatMap(([method, path]) => bodies.map((body): Case => ({
      name: `${method} ${path} with body ${JSON.stringify(body)}`, payload: withKey(method, path, {}, body), expect: [200, 400, 404],
    })));
    const invalidUtf8 = Buffer.concat([Buffer.from(withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { 'content-length': '4' })), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]);
    const upload = (headers: Record<string, string>, body = 'x', query = ''): string => withKey('POST', `/upload/v1beta/files${query}`, headers, body);
    await checkAll(context, [
      ...cases,
      { name: 'generateContent body that is not UTF-8', payload: invalidUtf8, expect: [400] },
      { name: 'raw upload declaring 10^23 bytes', payload: upload({ 'x-goog-upload-protocol': 'raw', 'x-goog-upload-header-content-length': '99999999999999999999999' }), expect: [400, 413] },
      { name: 'raw upload with a non-numeric declared size', payload: upload({ 'x-goog-upload-protocol': 'raw', 'x-goog-upload-header-content-length': '12abc' }), expect: [400] },
      { name: 'unknown upload protocol', payload: upload({ 'x-goog-upload-protocol': 'carrier-pigeon' }), expect: [400] },
      { name: 'resumable upload without start', payload: upload({ 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'finalize' }), expect: [400] },
      { name: 'multipart upload without a boundary', payload: upload({ 'content-type': 'multipart/related' }, 'x', '?uploadType=multipart'), expect: [400] },
      { name: 'multipart upload with a boundary that never comes', payload: upload({ 'content-type': 'multipart/related; boundary=zzz' }, '--aaa\r\n\r\n{}', '?uploadType=multipart'), expect: [400] },
      { name: 'download with a Range that is not bytes', payload: withKey('GET', '/download/v1beta/files/nope:download?alt=media', { range: 'lines=1-2' }), expect: [400, 403, 404] },
    ]);
  });

  test('slow and idle connections do not stop normal clients', { timeout: 30_000 }, async (context) => {
    const healthzMs = async (): Promise<number> => {
      const started = performance.now();
      await assertAlive();
      return Math.round(performance.now() - started);
    };
    // Headers trickled one byte per 50 ms while others are served; they still complete in time.
    const trickled = request('GET', '/healthz');
    const trickle = send(port, trickled.slice(0, 1), {
      then: async (socket) => {
        for (const byte of trickled.slice(1)) {
          socket.write(byte);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    });
    const duringTrickle = await healthzMs();
    const trickledAnswer = await trickle;
    context.diagnostic(`headers trickled over ${trickled.length * 50} ms → ${describeAnswer(trickledAnswer)}; /healthz meanwhile in ${duringTrickle} ms`);
    assert.equal(trickledAnswer.status, 200);

    // 500 idle connections (nothing sent), bodies never finished, only blank lines.
    const sockets: Socket[] = [];
    const fdsBefore = openDescriptors(server);
    for (let index = 0; index < 500; index++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    for (let index = 0; index < 20; index++) {
      sockets[index]!.write(withKey('POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent', { 'content-length': '1000' }, '').concat('{"batch":'));
      sockets[20 + index]!.write(withKey('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { 'transfer-encoding': 'chunked' }, '').concat('5\r\n{"con'));
      sockets[40 + index]!.write('\r\n\r\n\r\n');
      sockets[60 + index]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    }
    const opened = await pollUntil(async () => openDescriptors(server), (count) => count >= fdsBefore + 450, 5_000, 50);
    const duringFlood = await healthzMs();
    context.diagnostic(`500 idle or stalled connections open (descriptors ${fdsBefore} → ${opened}): /healthz in ${duringFlood} ms`);
    await checkAll(context, [
      { name: 'a normal request while 500 connections idle', payload: withKey('GET', '/v1beta/batches'), expect: [200] },
      { name: 'Content-Length body never finished', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:countTokens', { 'content-length': '100' }, '').concat('{"con'), options: { waitMs: 1_000 }, expect: ['pending'] },
      { name: 'chunked body never finished', payload: withKey('POST', '/v1beta/models/gemini-2.5-flash:countTokens', { 'transfer-encoding': 'chunked' }, '').concat('5\r\n{"con'), options: { waitMs: 1_000 }, expect: ['pending'] },
      { name: 'only blank lines', payload: '\r\n\r\n\r\n', options: { waitMs: 1_000 }, expect: ['pending'] },
    ]);
    for (const socket of sockets) socket.destroy();
    const settled = await pollUntil(async () => openDescriptors(server), (count) => count <= fdsBefore + 5, 5_000, 50);
    context.diagnostic(`after closing them: descriptors ${settled}`);
  });

  describe('clients that leave while the server streams', () => {
    const headers = { 'x-goog-api-key': KEY };
    let resultsFile = '';
    let batchName = '';

    before(async () => {
      // 10,000 results of 8 candidates each: about 23 MB, far more than the socket buffers hold.
      const lines = Array.from({ length: 10_000 }, (_, index) =>
        `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"item ${index}"}]}],"generationConfig":{"candidateCount":8}}}\n`).join('');
      const upload = await fetch(`${server.url}/upload/v1beta/files`, {
        method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' }, body: lines,
      });
      const { file } = (await upload.json()) as { file: { name: string } };
      const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
        method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
      });
      batchName = ((await created.json()) as { name: string }).name;
      const done = await pollUntil(
        async () => (await (await fetch(`${server.url}/v1beta/${batchName}`, { headers })).json()) as { done?: boolean; response?: { responsesFile: string } },
        (operation) => operation.done === true, 60_000, 200,
      );
      resultsFile = done.response?.responsesFile ?? '';
    });

    const leaveEarly = async (context: TestContext, name: string, path: string): Promise<void> => {
      const baseline = await steadyDescriptors(server);
      const answer = await send(port, withKey('GET', path), {
        then: async (socket) => {
          // Read a little, stop reading so the server meets back-pressure, then leave.
          let read = 0;
          await new Promise<void>((resolve) => {
            socket.on('data', (data: Buffer) => {
              read += data.length;
              if (read >= 64 * 1024) {
                socket.pause();
                resolve();
              }
            });
          });
          await new Promise((resolve) => setTimeout(resolve, 500));
          socket.destroy();
        },
        waitMs: 0,
      });
      const started = performance.now();
      const settled = await pollUntil(async () => openDescriptors(server), (count) => count <= baseline, 5_000, 50);
      context.diagnostic(`${name}: left after 64 KiB → descriptors ${baseline} before, ${settled} after ${Math.round(performance.now() - started)} ms (${answer.outcome})`);
      await assertAlive();
    };

    test(':results of a finished 23 MB batch', async (context) => {
      await leaveEarly(context, ':results', `/v1beta/${batchName}:results`);
    });
    test(':results?follow=true of a finished 23 MB batch', async (context) => {
      await leaveEarly(context, ':results?follow=true', `/v1beta/${batchName}:results?follow=true`);
    });
    test('download of the 23 MB results file', async (context) => {
      await leaveEarly(context, 'download', `/download/v1beta/${resultsFile}:download?alt=media`);
    });
    test(':results?follow=true of a running batch, left while waiting for results', async (context) => {
      const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-pro:batchGenerateContent`, {
        method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'slow' }] }] } }] } } } }),
      });
      const { name } = (await created.json()) as { name: string };
      // Its worker has picked it up (and opened its shard log) before the baseline is taken.
      await pollUntil(
        async () => ((await (await fetch(`${server.url}/v1beta/${name}`, { headers })).json()) as { metadata: { state: string } }).metadata.state,
        (state) => state === 'BATCH_STATE_RUNNING', 10_000, 50,
      );
      const baseline = await steadyDescriptors(server);
      const followers = await Promise.all(Array.from({ length: 20 }, () => send(port, withKey('GET', `/v1beta/${name}:results?follow=true`), { waitMs: 300 })));
      const settled = await pollUntil(async () => openDescriptors(server), (count) => count <= baseline, 5_000, 50);
      context.diagnostic(`20 followers of a running batch left after their headers (${followers.map((answer) => answer.status ?? answer.outcome)[0]}): descriptors ${baseline} → ${settled}`);
      await fetch(`${server.url}/v1beta/${name}:cancel`, { method: 'POST', headers });
      await assertAlive();
    });
  });

  test('the server logged no error and no warning through all of it', () => {
    const complaints = server.output().split('\n').filter((line) => /"level":"(error|warn)"|Warning|Error/.test(line));
    assert.deepEqual(complaints, []);
  });
});

/** The descriptor count once it holds still for 300 ms. */
async function steadyDescriptors(server: ServerProcess): Promise<number> {
  let previous = -1;
  for (;;) {
    const count = openDescriptors(server);
    if (count === previous) return count;
    previous = count;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The server process's open file descriptors (Linux /proc). */
function openDescriptors(server: ServerProcess): number {
  return readdirSync(`/proc/${server.child.pid}/fd`).length;
}

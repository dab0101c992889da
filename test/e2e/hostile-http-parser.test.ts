/**
 * Hostile input over raw sockets against a `batchmode serve` process, at the HTTP parser:
 * malformed request lines and targets, control bytes, oversize URL, headers and bodies,
 * conflicting Content-Length and Transfer-Encoding, broken chunked encoding.
 *
 * Every case records its answer (status line, or 'closed', or 'pending' for a request the
 * server is still rightly waiting on) and asserts: never a 5xx, a google.rpc JSON body
 * wherever there is an answer, and right after it `/healthz` answers 200 and the process is
 * alive (test/support/raw-http.ts). The answers are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { MIB, request, withKey, type Case , useHostileServer } from '../support/raw-http.js';

describe('hostile input over raw sockets: the HTTP parser', () => {
  const hostile = useHostileServer();
  const checkAll = (context: TestContext, cases: readonly Case[]): Promise<void> => hostile().checkAll(context, cases);

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
    context.diagnostic(`oversize cases took ${Math.round(performance.now() - started)} ms; server peak RSS ${Math.round(hostile().server.peakRssBytes() / MIB)} MiB`);
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

  test('the server logged no error and no warning through all of it', () => {
    assert.deepEqual(hostile().complaints(), []);
  });
});

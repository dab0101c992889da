/**
 * Hostile input over raw sockets against a `batchmode serve` process, at the routes: bad
 * escapes and control characters in every route's parameters, deep nesting, JSON bodies of
 * every shape, odd upload headers.
 *
 * Every case records its answer (status line, or 'closed', or 'pending' for a request the
 * server is still rightly waiting on) and asserts: never a 5xx, a google.rpc JSON body
 * wherever there is an answer, and right after it `/healthz` answers 200 and the process is
 * alive (test/support/raw-http.ts). The answers are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { BAD, KEY, deepJson, request, withKey, type Case , useHostileServer } from '../support/raw-http.js';

describe('hostile input over raw sockets: the routes', () => {
  const hostile = useHostileServer();
  const checkAll = (context: TestContext, cases: readonly Case[]): Promise<void> => hostile().checkAll(context, cases);

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
      ['GET', `/v1beta/cachedContents/${BAD}`], ['PATCH', `/v1beta/cachedContents/${BAD}`], ['DELETE', `/v1beta/cachedContents/${BAD}`],
    ];
    const cases: Case[] = routes.flatMap(([method, path]): Case[] => {
      const param = /batches|operations/.test(path) ? 'batchId' : path.includes('files') ? 'fileId' : path.includes('cachedContents') ? 'cacheId' : 'model';
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
    const upload = await fetch(`${hostile().server.url}/upload/v1beta/files`, {
      method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' },
      body: `{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}]}}\n{"key":"b","request":{"contents":${deep}}}\n`,
    });
    const { file } = (await upload.json()) as { file: { name: string } };
    const created = await fetch(`${hostile().server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
    });
    const createdBody = await created.text();
    context.diagnostic(`batch from a JSONL file with a line nested 100,000 levels → ${created.status} ${createdBody.slice(0, 160)}`);
    assert.ok(created.status < 500, createdBody);
    await hostile().assertAlive();
  });

  test('JSON bodies of every shape on every JSON route, and odd upload headers', async (context) => {
    const routes: [string, string][] = [
      ['POST', '/v1beta/models/gemini-2.5-flash:generateContent'], ['POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
      ['POST', '/v1beta/models/gemini-embedding-001:embedContent'], ['POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents'],
      ['POST', '/v1beta/models/gemini-2.5-flash:countTokens'], ['POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent'],
      ['POST', '/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent'], ['POST', '/v1beta/files'],
      ['POST', '/v1beta/cachedContents'], ['PATCH', '/v1beta/cachedContents/abc'],
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

  test('the server logged no error and no warning through all of it', () => {
    assert.deepEqual(hostile().complaints(), []);
  });
});

// Tests of the dispatch-based JSON POST: answer decoding, error statuses and aborts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Pool } from 'undici';
import { postJsonText } from './json-call.js';

const HEADERS = ['content-type', 'application/json', 'accept', 'application/json'];

async function serve(handler: (request: IncomingMessage, body: string, response: ServerResponse) => void): Promise<{ pool: Pool; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => handler(request, body, response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
  return {
    pool,
    close: async () => {
      await pool.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

test('sends the body and headers, answers with the status and the whole body (a UTF-8 BOM skipped); no headers for a 2xx', async (t) => {
  const seen: { body: string; type: string | undefined }[] = [];
  const { pool, close } = await serve((request, body, response) => {
    seen.push({ body, type: request.headers['content-type'] });
    response.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' });
    response.write(Buffer.from([0xef, 0xbb, 0xbf]));
    response.write('{"text":"h');
    response.end('é"}');
  });
  t.after(close);
  const answer = await postJsonText(pool, '/v1/chat', HEADERS, '{"q":1}', new AbortController().signal);
  assert.deepEqual(answer, { statusCode: 200, headers: {}, text: '{"text":"hé"}' });
  assert.deepEqual(seen, [{ body: '{"q":1}', type: 'application/json' }]);
});

test('an error status comes with its headers (lower-case names) and body text', async (t) => {
  const { pool, close } = await serve((_request, _body, response) => {
    response.writeHead(429, { 'Retry-After': '7' });
    response.end('{"error":{"message":"slow down"}}');
  });
  t.after(close);
  const answer = await postJsonText(pool, '/v1/chat', HEADERS, '{}', new AbortController().signal);
  assert.equal(answer.statusCode, 429);
  assert.equal(answer.headers['retry-after'], '7');
  assert.equal(answer.text, '{"error":{"message":"slow down"}}');
});

test('an abort rejects the call in flight and the one still queued, promptly; a signal aborted before never sends', { timeout: 10_000 }, async (t) => {
  let arrived = 0;
  let firstArrived!: () => void;
  const arrival = new Promise<void>((resolve) => (firstArrived = resolve));
  const { pool, close } = await serve(() => {
    arrived++;
    firstArrived();
    // Never answers.
  });
  t.after(close);
  await assert.rejects(postJsonText(pool, '/v1/chat', HEADERS, '{}', AbortSignal.abort(new Error('gone'))), /gone/);
  const controller = new AbortController();
  const inFlight = postJsonText(pool, '/v1/chat', HEADERS, '{}', controller.signal);
  const queued = postJsonText(pool, '/v1/chat', HEADERS, '{}', controller.signal); // one connection: it waits
  await arrival;
  controller.abort(new Error('cancelled by test'));
  await assert.rejects(inFlight, /cancelled by test/);
  await assert.rejects(queued, /cancelled by test/);
  assert.equal(arrived, 1);
});

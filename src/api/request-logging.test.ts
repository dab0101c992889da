/**
 * The HTTP edge's logs and events, over real HTTP in process: request ids (inbound or made up)
 * and traceparent echoed and on every line about the request (error lines included, and the
 * raw answers to unparseable requests), probe lines at debug, and one `httpRequest` event per
 * request with its route template.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createKeyRing } from '../auth/key-ring.js';
import { createEventFanOut, type HttpRequestEvent } from '../core/engine-events.js';
import { AppError } from '../core/errors.js';
import { createLogger } from '../lib/logger.js';
import { pollUntil } from '../../test/support/poll.js';
import { createApp } from './app.js';
import { sendJson } from './http.js';
import { createHttpServer } from './http-server.js';
import type { Route } from './router.js';

const KEY = 'edge-key';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const routes: Route[] = [
  { methods: ['GET'], pattern: /^\/healthz$/, isPublic: true, handler: async ({ response }) => sendJson(response, 200, { status: 'ok' }) },
  { methods: ['GET'], pattern: /^\/v1beta\/batches\/(?<batchId>[^/:]+)$/, handler: async ({ response, params }) => sendJson(response, 200, { name: params.batchId }) },
  {
    methods: ['GET'], pattern: /^\/v1beta\/batches\/(?<batchId>[^/:]+):broken$/,
    handler: async () => {
      throw new Error('a bug');
    },
  },
  {
    methods: ['GET'], pattern: /^\/v1beta\/files\/(?<fileId>[^/:]+)$/,
    handler: async () => {
      throw new AppError('UNAVAILABLE', 'down', { cause: new Error('ECONNREFUSED') });
    },
  },
];

type Line = Record<string, unknown> & { level: string; msg: string };
const chunks: string[] = [];
const events: HttpRequestEvent[] = [];
let origin = '';
let port = 0;
const server = createHttpServer(
  createApp({
    routes, keys: createKeyRing([KEY]), publicUrl: undefined,
    logger: createLogger({ level: 'debug', stream: new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk.toString()), done()) }) }),
    events: createEventFanOut([{ httpRequest: (event) => events.push(event) }]),
  }),
  createLogger({ level: 'debug', stream: new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk.toString()), done()) }) }),
);

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const lines = (): Line[] => chunks.join('').split('\n').filter(Boolean).map((text) => JSON.parse(text) as Line);
const linesOf = (requestId: string): Line[] => lines().filter((line) => line.requestId === requestId);

/** GETs `path`, then waits for its request line (written when the answer closes). */
async function get(path: string, headers: Record<string, string> = {}): Promise<{ response: Response; requestId: string; requestLine: Line }> {
  const response = await fetch(`${origin}${path}`, { headers: { 'x-goog-api-key': KEY, ...headers } });
  await response.arrayBuffer();
  const requestId = response.headers.get('x-request-id') ?? '';
  const [requestLine] = await pollUntil(async () => linesOf(requestId).filter((line) => line.msg === 'request'), (found) => found.length === 1, 5_000, 10, `the request line of ${path}`);
  return { response, requestId, requestLine: requestLine! };
}

test("an inbound X-Request-Id and traceparent are echoed and carried by the request's lines", async () => {
  const { response, requestLine } = await get('/v1beta/batches/b123', { 'x-request-id': 'client-req-1', traceparent: TRACEPARENT });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-request-id'), 'client-req-1');
  assert.equal(response.headers.get('traceparent'), TRACEPARENT);
  assert.deepEqual({ ...requestLine, time: undefined, durationMs: undefined, tenant: undefined }, {
    time: undefined, level: 'info', msg: 'request', requestId: 'client-req-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    method: 'GET', path: '/v1beta/batches/b123', route: '/v1beta/batches/{batchId}', status: 200, durationMs: undefined, tenant: undefined,
  });
  assert.equal(typeof requestLine.tenant, 'string');
});

test('an unsafe X-Request-Id is replaced; an invalid traceparent is neither echoed nor logged', async () => {
  const { response, requestId, requestLine } = await get('/v1beta/batches/b1', { 'x-request-id': 'has space "and quotes"', traceparent: '00-zz-00f067aa0ba902b7-01' });
  assert.match(requestId, /^[0-9a-f-]{36}$/);
  assert.equal(response.headers.get('traceparent'), null);
  assert.equal(requestLine.traceId, undefined);
});

test('error lines carry the request id: an internal error, an unavailable dependency', async () => {
  const internal = await get('/v1beta/batches/b1:broken', { 'x-request-id': 'req-internal' });
  assert.equal(internal.response.status, 500);
  const [failure] = linesOf('req-internal').filter((line) => line.msg === 'request failed');
  assert.equal(failure?.level, 'error');
  assert.equal((failure?.error as { message?: string }).message, 'a bug');
  assert.equal(internal.requestLine.rpcStatus, 'INTERNAL');

  const unavailable = await get('/v1beta/files/f1', { 'x-request-id': 'req-unavailable' });
  assert.equal(unavailable.response.status, 503);
  assert.deepEqual(linesOf('req-unavailable').map((line) => [line.level, line.msg]), [['warn', 'request failed: unavailable'], ['info', 'request']]);
});

test('health probes are logged at debug, other requests at info', async () => {
  assert.equal((await get('/healthz')).requestLine.level, 'debug');
  assert.equal((await get('/v1beta/batches/b2')).requestLine.level, 'info');
});

test('one httpRequest event per request, with the route template (never an id) or `unmatched`', async () => {
  const before = events.length;
  const found = await get('/v1beta/batches/secret-id-1');
  const missing = await get('/v1beta/nothing/secret-id-2');
  const unauthenticated = await get('/v1beta/batches/secret-id-3', { 'x-goog-api-key': 'wrong' });
  const wrongMethod = await fetch(`${origin}/v1beta/batches/secret-id-4`, { method: 'DELETE', headers: { 'x-goog-api-key': KEY } });
  await wrongMethod.arrayBuffer();
  const seen = await pollUntil(async () => events.slice(before), (found) => found.length === 4, 5_000, 10, 'four events');
  assert.deepEqual(seen.map(({ durationMs, ...rest }) => (assert.ok(durationMs >= 0), rest)), [
    { route: '/v1beta/batches/{batchId}', method: 'GET', status: 200, requestId: found.requestId },
    { route: 'unmatched', method: 'GET', status: 404, requestId: missing.requestId },
    { route: '/v1beta/batches/{batchId}', method: 'GET', status: 400, requestId: unauthenticated.requestId }, // Gemini's API_KEY_INVALID
    { route: 'unmatched', method: 'DELETE', status: 405, requestId: wrongMethod.headers.get('x-request-id') },
  ]);
  assert.equal(missing.requestLine.route, 'unmatched');
});

test('an unknown method is OTHER in the event (a bounded label), and as sent in the log', async () => {
  const before = events.length;
  const response = await fetch(`${origin}/v1beta/batches/b1`, { method: 'PROPFIND', headers: { 'x-goog-api-key': KEY } });
  await response.arrayBuffer();
  const [event] = await pollUntil(async () => events.slice(before), (found) => found.length === 1, 5_000, 10, 'the event');
  assert.equal(event?.method, 'OTHER');
  const requestId = response.headers.get('x-request-id') ?? '';
  assert.equal(linesOf(requestId).find((line) => line.msg === 'request')?.method, 'PROPFIND');
});

test('a request the parser refuses gets a request id too: in its raw answer and on its log line', async () => {
  const text = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.write('GET /\u0001bad HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  assert.match(text, /^HTTP\/1\.1 400 /);
  const requestId = /\r\nx-request-id: ([^\r]+)\r\n/.exec(text)?.[1];
  assert.ok(requestId, text);
  const [line] = linesOf(requestId);
  assert.deepEqual([line?.msg, line?.level, line?.status], ['unparseable request', 'debug', 400]);
});

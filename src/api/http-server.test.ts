/**
 * The server's limits with tiny values, in process: trickled headers and silent connections
 * get 408 after the header timeout, a body that stops coming gets 408 after the idle timeout,
 * the server's own slow work keeps its connection, a client that stops reading is cut off
 * (and the streamed source stopped), connections beyond the cap are closed, and parse errors
 * get complete JSON answers.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { silentLogger } from '../lib/logger.js';
import { readText, sendJson, streamTo } from './http.js';
import { createHttpServer, rawErrorResponse, type HttpServerLimits } from './http-server.js';
import { AppError } from '../core/errors.js';
import { hold } from '../../test/support/hold.js';
import { pollUntil } from '../../test/support/poll.js';

/** The connections `server` holds open now. */
const connectionsOf = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

interface Raw {
  text: string;
  closed: boolean;
}

/** Sends `payload`, then collects what comes back until the server closes or `waitMs` pass. */
function exchange(port: number, payload: string, waitMs: number, then?: (socket: Socket) => Promise<void>): Promise<Raw> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (data: Buffer) => (text += data.toString('latin1')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.write(payload);
    if (then) void then(socket);
  });
}

function jsonError(raw: Raw): { status: number; rpc: string; message: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw.text)?.[1]);
  assert.match(raw.text, /\r\ncontent-type: application\/json/i, raw.text);
  const body = JSON.parse(raw.text.slice(raw.text.indexOf('\r\n\r\n') + 4)) as { error: { code: number; status: string; message: string } };
  assert.equal(body.error.code, status);
  return { status, rpc: body.error.status, message: body.error.message };
}

describe('createHttpServer', () => {
  const servers: Server[] = [];
  let sourceDestroyed = false;
  const start = async (limits: Partial<HttpServerLimits>): Promise<number> => {
    const server = createHttpServer((request, response) => {
      void (async () => {
        const url = request.url ?? '/';
        if (url === '/slow') {
          await hold(600, "the server's own slow work, longer than the idle timeout");
          sendJson(response, 200, { slow: true });
        } else if (url === '/body') {
          try {
            const text = await readText(request, 1024);
            sendJson(response, 200, { length: text.length });
          } catch {
            response.destroy();
          }
        } else if (url === '/big') {
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          const source = Readable.from((function* () {
            for (let index = 0; index < 100_000; index++) yield Buffer.alloc(64 * 1024);
          })());
          source.once('close', () => (sourceDestroyed = true));
          await streamTo(response, source);
        } else {
          sendJson(response, 200, { ok: true });
        }
      })();
    }, silentLogger, { checkIntervalMs: 100, lingerMs: 200, ...limits });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  after(() => {
    for (const server of servers) server.closeAllConnections();
    return Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  test('headers trickled past the header timeout get a JSON 408, and so does a connection that sends nothing', async () => {
    const port = await start({ headersTimeoutMs: 400 });
    const trickled = await exchange(port, 'G', 3_000, async (socket) => {
      for (const byte of 'ET /healthz HTTP/1.1\r\nHost: x\r\n') {
        if (socket.destroyed) return;
        socket.write(byte);
        await hold(50, 'a slow client: one byte of headers per 50 ms');
      }
    });
    assert.equal(trickled.closed, true);
    assert.deepEqual(jsonError(trickled).status, 408);
    const silent = await exchange(port, '', 3_000);
    assert.equal(silent.closed, true);
    if (silent.text !== '') assert.equal(jsonError(silent).status, 408);
  });

  test('a body that stops coming gets a JSON 408 after the idle timeout', async () => {
    const port = await start({ idleTimeoutMs: 300 });
    const started = performance.now();
    const raw = await exchange(port, 'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":', 3_000);
    assert.equal(raw.closed, true);
    const error = jsonError(raw);
    assert.equal(error.status, 408);
    assert.equal(error.rpc, 'DEADLINE_EXCEEDED');
    assert.ok(performance.now() - started < 2_000);
  });

  test("the server's own slow work keeps its connection past the idle timeout", async () => {
    const port = await start({ idleTimeoutMs: 200 });
    const raw = await exchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 2_000);
    assert.match(raw.text, /^HTTP\/1\.1 200 /);
    assert.match(raw.text, /\{"slow":true\}/);
  });

  test('a client that stops reading is cut off after the idle timeout and the source is stopped', async () => {
    const port = await start({ idleTimeoutMs: 300 });
    sourceDestroyed = false;
    // The paused client does not notice the close itself; the server-side source tells.
    const raw = await exchange(port, 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n', 1_500, async (socket) => {
      await new Promise((resolve) => socket.once('data', resolve));
      socket.pause();
    });
    assert.match(raw.text, /^HTTP\/1\.1 200 /);
    await pollUntil(async () => sourceDestroyed, (destroyed) => destroyed, 2_000, 50, 'the streamed source to be stopped');
    assert.equal(sourceDestroyed, true);
  });

  test('connections beyond the cap are closed at once; those within it are served', async () => {
    const port = await start({ maxConnections: 3 });
    const server = servers.at(-1)!;
    const idle = await Promise.all([0, 1, 2].map(() => new Promise<Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', () => undefined);
    })));
    // The server has accepted all three before the fourth comes.
    await pollUntil(() => connectionsOf(server), (count) => count >= 3, 2_000, 10, 'three connections accepted');
    const refused = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 2_000);
    assert.deepEqual(refused, { text: '', closed: true });
    for (const socket of idle) socket.destroy();
    // The server has seen them close before the next one comes.
    await pollUntil(() => connectionsOf(server), (count) => count === 0, 2_000, 10, 'the idle connections closed');
    const served = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 2_000);
    assert.match(served.text, /^HTTP\/1\.1 200 /);
  });

  test('oversize headers get a complete JSON 431, a parse error a JSON 400, and the connection closes', async () => {
    const port = await start({ maxHeaderBytes: 1024 });
    const big = await exchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`, 2_000);
    assert.equal(big.closed, true);
    assert.deepEqual(jsonError(big), { status: 431, rpc: 'INVALID_ARGUMENT', message: 'The request line and headers together exceed 1024 bytes.' });
    const broken = await exchange(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 2_000);
    assert.equal(broken.closed, true);
    const error = jsonError(broken);
    assert.equal(error.status, 400);
    assert.match(error.message, /^Malformed HTTP request: /);
  });

  test('rawErrorResponse is a complete HTTP/1.1 message', () => {
    const text = rawErrorResponse(new AppError('INVALID_ARGUMENT', 'nope', { httpStatus: 414 }));
    const body = '{"error":{"code":414,"message":"nope","status":"INVALID_ARGUMENT"}}';
    assert.equal(text, `HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json; charset=UTF-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  });
});

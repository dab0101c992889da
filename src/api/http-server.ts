/**
 * The node:http server of `batchmode serve`, with its limits chosen on purpose rather than left
 * at Node's defaults, and an answer for every request the parser cannot hand to the app.
 *
 * - Headers: at most `maxHeaderBytes` (request line included; 431 beyond), all of them within
 *   `headersTimeoutMs` of the first byte (408): trickled headers cannot hold a connection.
 * - Bodies: no overall request timeout (a 10 GB upload is one long request); instead a
 *   connection on which no byte moves for `idleTimeoutMs` is ended, when the wait is the
 *   client's: a body that stopped coming (408), an answer the client stopped reading. A wait
 *   that is the server's own (a slow backend, `:results?follow=true` between results) keeps
 *   the connection.
 * - Keep-alive: `keepAliveTimeoutMs` between requests (longer than the usual proxy's 60 s).
 * - Connections: at most `maxConnections`, below the process's file descriptor limit, so a
 *   flood of idle sockets cannot starve the store and the files of descriptors; beyond it new
 *   connections are closed at once.
 * - `clientError` (a request llhttp refuses: bad request line, control bytes, Content-Length
 *   with Transfer-Encoding, broken chunked encoding, oversize headers, a header timeout):
 *   where nothing of an answer went out yet, a complete HTTP/1.1 answer with the google.rpc
 *   JSON body, then the connection is closed after a short linger; otherwise it is closed.
 *   Such a request never reaches the app, so it gets its request id here: on its log line
 *   and in the answer's `x-request-id`, like every other request's.
 * - `CONNECT` and unknown `Expect` values get JSON answers too (405, 417) instead of Node's
 *   bare ones; a missing Host header is the app's 400 (app.ts), not Node's empty one.
 */
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { Logger } from '../lib/logger.js';
import { errorBody, writeError } from './error-response.js';
import { requestIdOf } from './request-trace.js';

export interface HttpServerLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** How long a connection answered with an error stays open to let the answer reach the client. */
  lingerMs: number;
  /** How often Node checks the header timeout (it fires up to this late). */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpServerLimits = {
  maxHeaderBytes: 64 * 1024,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: connectionCap(),
  lingerMs: 2_000,
  checkIntervalMs: 5_000,
};

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
}

export function createHttpServer(listener: RequestListener, logger: Logger, overrides: Partial<HttpServerLimits> = {}): Server {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...overrides };
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    requireHostHeader: false,
  });
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;

  /** The requests in flight per connection (more than one when a client pipelines). */
  const inFlight = new WeakMap<Duplex, Set<Exchange>>();
  /** Connections already answered with a raw error: later parse errors on them are ignored. */
  const answered = new WeakSet<Duplex>();

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    const exchanges = inFlight.get(socket) ?? new Set<Exchange>();
    inFlight.set(socket, exchanges);
    const exchange = { request, response };
    exchanges.add(exchange);
    response.once('close', () => exchanges.delete(exchange));
  });
  server.on('request', listener);

  const linger = (socket: Duplex): void => {
    const timer = setTimeout(() => socket.destroy(), limits.lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };

  /** Writes a complete answer straight to the socket (no ServerResponse exists or it sent nothing). */
  const answerRaw = (socket: Duplex, error: AppError, requestId: string): void => {
    answered.add(socket);
    socket.end(rawErrorResponse(error, requestId));
    linger(socket);
  };

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return;
    const started = [...(inFlight.get(socket) ?? [])].some(({ response }) => response.headersSent && !response.writableEnded);
    if (error.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const answer = clientErrorOf(error, limits);
    logger.debug('unparseable request', { requestId, code: error.code, reason: reasonOf(error), status: answer.httpStatus });
    answerRaw(socket, answer, requestId);
  });

  server.on('timeout', (socket: Socket) => {
    const exchanges = [...(inFlight.get(socket) ?? [])];
    const stalledBody = exchanges.find(({ request }) => !request.complete && request.readableLength === 0);
    if (stalledBody && !stalledBody.response.headersSent) {
      const seconds = limits.idleTimeoutMs / 1000;
      // The app named this request (x-request-id is set on its response); its request line follows.
      const requestId = stalledBody.response.getHeader('x-request-id');
      writeError(stalledBody.response, new AppError('DEADLINE_EXCEEDED', `No bytes of the request body arrived for ${seconds} s.`, {
        httpStatus: 408, headers: { connection: 'close' },
      }), typeof requestId === 'string' ? logger.child({ requestId }) : logger);
      linger(socket);
      return;
    }
    const unread = exchanges.some(({ response }) => response.writableNeedDrain) || socket.writableLength > 0;
    if (exchanges.length === 0 || stalledBody || unread) {
      socket.destroy();
      return;
    }
    // The server's own wait (a backend call, a follower between results): keep the connection.
    socket.setTimeout(limits.idleTimeoutMs);
  });

  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    const requestId = requestIdOf(request.headers);
    logger.debug('CONNECT refused', { requestId, status: 405 });
    answerRaw(socket, new AppError('INVALID_ARGUMENT', 'CONNECT is not supported: batchmode is not a proxy.', { httpStatus: 405 }), requestId);
  });

  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const expectation = String(request.headers.expect).slice(0, 100);
    const requestId = requestIdOf(request.headers);
    response.setHeader('x-request-id', requestId);
    logger.debug('unsupported Expect refused', { requestId, method: request.method, status: 417 });
    writeError(response, new AppError('FAILED_PRECONDITION', `Unsupported Expect header '${expectation}'.`, {
      httpStatus: 417, headers: { connection: 'close' },
    }), logger.child({ requestId }));
  });

  let lastDropLogMs = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDropLogMs < 60_000) return;
    lastDropLogMs = now;
    logger.warn('connection refused: too many open connections', { maxConnections: limits.maxConnections });
  });

  // Errors after listen (EMFILE on accept, …) must not become an uncaught 'error' event;
  // errors before it (EADDRINUSE) belong to whoever called listen().
  server.on('error', (error) => {
    if (server.listening) logger.error('http server error', { error });
  });

  return server;
}

/** The google.rpc answer for a request the parser refused. */
function clientErrorOf(error: NodeJS.ErrnoException, limits: HttpServerLimits): AppError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('INVALID_ARGUMENT', `The request line and headers together exceed ${limits.maxHeaderBytes} bytes.`, { httpStatus: 431 });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new AppError('INVALID_ARGUMENT', 'The chunk extensions of the request body are too large.', { httpStatus: 413 });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('DEADLINE_EXCEEDED', `The request headers did not arrive within ${limits.headersTimeoutMs / 1000} s.`, { httpStatus: 408 });
    default:
      return new AppError('INVALID_ARGUMENT', `Malformed HTTP request: ${reasonOf(error)}.`);
  }
}

/** llhttp's own words for what is wrong ("Invalid method encountered"), without the trailing period. */
function reasonOf(error: NodeJS.ErrnoException): string {
  const reason = (error as { reason?: unknown }).reason;
  const text = typeof reason === 'string' && reason !== '' ? reason : error.code ?? 'unreadable request';
  return text.replace(/\.$/, '');
}

/** A complete HTTP/1.1 response carrying the error's JSON body; the connection closes after it. */
export function rawErrorResponse(error: AppError, requestId?: string): string {
  const body = JSON.stringify(errorBody(error));
  return [
    `HTTP/1.1 ${error.httpStatus} ${STATUS_CODES[error.httpStatus] ?? 'Error'}`,
    'content-type: application/json; charset=UTF-8',
    `content-length: ${Buffer.byteLength(body)}`,
    ...(requestId === undefined ? [] : [`x-request-id: ${requestId}`]),
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * A generous connection cap that stays clear of the file descriptor limit (RLIMIT_NOFILE,
 * read from /proc where there is one): 256 descriptors are kept for the store, the files and
 * the workers.
 */
function connectionCap(): number {
  const ceiling = 10_000;
  try {
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (soft === undefined || soft === 'unlimited') return ceiling;
    return Math.max(64, Math.min(ceiling, Number(soft) - 256));
  } catch {
    return 1_000;
  }
}

/**
 * Small HTTP helpers shared by the route modules: JSON responses, bounded body reading, and
 * streaming a body out so that a client that goes away stops the source instead of leaving
 * the handler waiting for a 'drain' that never comes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, AppError } from '../core/errors.js';
import { LenientJsonError, parseLenientJson } from '../lib/lenient-json.js';

/** What a route handler receives. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** Named groups of the route's path pattern. */
  params: Record<string, string>;
  /** The caller's tenant (set by auth for every route that requires a key). */
  tenantId: string;
  /** The origin clients reach this server at, path prefix included (no trailing slash). */
  publicBase: string;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Reads the whole body as text, refusing more than `maxBytes` (JSON bodies only, never
 * uploads): a declared Content-Length over the limit before reading anything, a chunked body
 * as soon as its running total passes it. The rest of the body is left unread (see
 * `discardRestOfBody`).
 */
export function readText(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(payloadTooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const onData = (part: Buffer): void => {
      total += part.length;
      if (total <= maxBytes) {
        parts.push(part);
        return;
      }
      stop();
      request.pause();
      reject(payloadTooLarge(maxBytes));
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(parts).toString('utf8'));
    };
    const onGone = (): void => {
      stop();
      reject(new AppError('CANCELLED', 'The client closed the connection before the request body arrived.'));
    };
    const stop = (): void => {
      request.off('data', onData).off('end', onEnd).off('close', onGone).off('error', onGone);
    };
    request.on('data', onData).once('end', onEnd).once('close', onGone).once('error', onGone);
  });
}

/** How long the rest of a body answered early is read and dropped before its connection is closed. */
export const BODY_LINGER_MS = 5_000;

/**
 * After an answer sent before the whole body arrived (an error, a 413): reads and drops the
 * rest for up to `lingerMs`, then closes the connection if the body is still coming. Closing
 * at once with unread bytes would reset the connection, and the client could lose the answer;
 * draining without a bound would let a never-ending body hold the connection.
 */
export function discardRestOfBody(request: IncomingMessage, lingerMs: number = BODY_LINGER_MS): void {
  if (request.complete || request.destroyed) return;
  const timer = setTimeout(() => {
    if (!request.complete) request.socket.destroy();
  }, lingerMs);
  timer.unref();
  const done = (): void => clearTimeout(timer);
  request.once('end', done).once('close', done);
  request.resume();
}

/**
 * Streams `source` into the response and ends it. A client that goes away (even while the
 * response waits for 'drain') stops the source: it is destroyed, its file closed, an async
 * generator returned; that resolves quietly. A failure of the source rejects (the response is
 * cut, as its status line already went out).
 */
export async function streamTo(response: ServerResponse, source: Readable | AsyncIterable<Buffer | string>): Promise<void> {
  const readable = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  // pipeline() puts seven 'close' listeners of its own on a ServerResponse; with the app's
  // and the route's, Node would warn of a leak that is none.
  response.setMaxListeners(Math.max(response.getMaxListeners(), 20));
  let sourceFailed = false;
  let clientLeft = false;
  readable.once('error', () => {
    if (!clientLeft) sourceFailed = true;
  });
  response.once('close', () => {
    if (!response.writableFinished && !sourceFailed) clientLeft = true;
  });
  try {
    await pipeline(readable, response);
  } catch (error) {
    if (clientLeft) return;
    throw error;
  }
}

/** Reads a JSON body leniently (single quotes, bare words: the guide's curl samples); `{}` when empty. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = await readText(request, maxBytes);
  if (text.trim() === '') return {};
  try {
    return parseLenientJson(text);
  } catch (error) {
    const detail = error instanceof LenientJsonError ? error.message : 'not JSON';
    throw invalidArgument(`Invalid JSON payload received. ${detail}.`);
  }
}

function payloadTooLarge(maxBytes: number): AppError {
  return new AppError('INVALID_ARGUMENT', `Request payload size exceeds the limit: ${maxBytes} bytes.`, { httpStatus: 413 });
}

/** The first value of a header, trimmed. */
export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim();
}

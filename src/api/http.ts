/** Small HTTP helpers shared by the route modules: JSON responses and bounded body reading. */
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Reads the whole body as text, refusing more than `maxBytes` (JSON bodies only, never uploads). */
export async function readText(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw payloadTooLarge(maxBytes);
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of request) {
    total += (part as Buffer).length;
    if (total > maxBytes) throw payloadTooLarge(maxBytes);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
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

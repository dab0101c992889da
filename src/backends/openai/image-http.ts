/**
 * HTTP for an OpenAI-compatible route's image calls: JSON to `/images/generations` and
 * multipart/form-data to `/images/edits`, through one keep-alive undici Pool of its own (made
 * only for routes with images enabled), with the same headers, timeouts and error mapping as
 * the chat client (http-client.ts, classify-error.ts). The multipart body is built here, in
 * memory: the input images of one request are already in memory as base64.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { cancelledError } from '../cancelled-error.js';
import { errorFromFailure, errorFromStatus } from './classify-error.js';
import { createSignalMirror } from './signal-mirror.js';
import { unexpectedBody } from './unexpected-body.js';

/** One file of a multipart body. */
export interface FormFile {
  field: string;
  fileName: string;
  mimeType: string;
  data: Buffer;
}

/** A multipart/form-data body: text fields, then files. */
export interface FormBody {
  fields: readonly (readonly [string, string])[];
  files: readonly FormFile[];
}

export interface ImageHttpOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  maxConnections: number;
  timeoutMs: number;
  serverLabel: string;
}

export interface ImageHttp {
  postJson(path: string, body: unknown, signal: AbortSignal): Promise<unknown>;
  postForm(path: string, form: FormBody, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** Encodes `form` with a random boundary; answers the body and its content type. */
export function encodeMultipart(form: FormBody, boundary = `batchmode-${randomBytes(12).toString('hex')}`): { body: Buffer; contentType: string } {
  const pieces: Buffer[] = [];
  const quote = (text: string): string => text.replace(/["\r\n\\]/g, '_');
  for (const [name, value] of form.fields) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const file of form.files) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.fileName)}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`));
    pieces.push(file.data, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Creates the client; throws RangeError for a base URL that is not http(s). */
export function createImageHttp(options: ImageHttpOptions): ImageHttp {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`baseUrl must be an http(s) URL, got ${options.baseUrl}`);
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  const { serverLabel } = options;
  const pool = new Pool(url.origin, { connections: options.maxConnections, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  const mirror = createSignalMirror();
  const headersFor = (contentType: string): Record<string, string> => ({
    'content-type': contentType,
    accept: 'application/json',
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  });

  async function post(path: string, body: string | Buffer, contentType: string, signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) throw cancelledError(signal);
    let text: string;
    try {
      const response = await pool.request({ path: `${pathPrefix}${path}${url.search}`, method: 'POST', headers: headersFor(contentType), body, signal: mirror(signal) });
      text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode >= 300) throw errorFromStatus(response.statusCode, response.headers, text, serverLabel);
    } catch (error) {
      throw errorFromFailure(error, signal, serverLabel);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return unexpectedBody(serverLabel, `not JSON: ${text.slice(0, 200)}`);
    }
  }

  return {
    postJson: (path, body, signal) => post(path, JSON.stringify(body), 'application/json', signal),
    postForm(path, form, signal) {
      const { body, contentType } = encodeMultipart(form);
      return post(path, body, contentType, signal);
    },
    close: () => pool.close(),
  };
}

/**
 * A local OpenAI-compatible image server for tests (node:http on 127.0.0.1, port 0), strict the
 * way OpenAI's images API is: `POST /v1/images/generations` takes a JSON body, `POST
 * /v1/images/edits` multipart/form-data (read with @fastify/busboy) with the input image(s) as
 * `image` (one) or `image[]`; a bad body (unknown field, empty prompt, n out of 1..10, a size it
 * does not take, files that are not images, `image` and `image[]` mixed) gets OpenAI's 400 error
 * body. It records every request and answers with real PNGs (drawn by the simulated model's
 * renderer at 1/8 of the asked size, to stay cheap) as `b64_json`, or as `url` when
 * `response_format` is `url`, with gpt-image style `usage`. Other paths get the chat fake's
 * default answers (the recorded vLLM completion), so one route serves chat and images.
 */
import { Busboy } from '@fastify/busboy';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { hashString } from '../../simulated/hash.js';
import { renderImage } from '../../simulated/simulated-image.js';
import { defaultReply } from './fake-openai-server.js';
import { closeNow, listenLocal } from '../../../lib/testing/local-http-server.js';

/** One uploaded file of an edits request. */
export interface ReceivedFile {
  field: string;
  fileName: string;
  mimeType: string;
  data: Buffer;
}

/** One request as the server saw it. */
export interface ImageServerRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body (generations, chat), when it was JSON. */
  json: Record<string, unknown> | undefined;
  /** The text fields of a multipart body (edits), in order. */
  fields: [string, string][];
  files: ReceivedFile[];
  /** What the server found wrong; empty for a valid request. */
  problems: string[];
}

/** How to answer a (valid) request: a status and a JSON body. */
export interface ImageServerReply {
  status?: number;
  json: unknown;
}

export interface FakeImageServer {
  /** The API root, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  requests: ImageServerRequest[];
  /** Answers the next valid image requests with this instead (cleared by `setHandler(undefined)`). */
  setHandler(handler: ((request: ImageServerRequest) => ImageServerReply) | undefined): void;
  close(): Promise<void>;
}

export const GPT_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
const GENERATION_FIELDS = new Set(['model', 'prompt', 'n', 'size', 'response_format', 'quality', 'style', 'user', 'background', 'output_format']);
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

/** Starts the server; `sizes` are the sizes it takes (default gpt-image's, plus `auto`). */
export async function startFakeImageServer(options: { sizes?: readonly string[] } = {}): Promise<FakeImageServer> {
  const sizes = new Set(options.sizes ?? GPT_IMAGE_SIZES);
  const requests: ImageServerRequest[] = [];
  let handler: ((request: ImageServerRequest) => ImageServerReply) | undefined;

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const path = incoming.url ?? '/';
      const body = Buffer.concat(chunks);
      read(path, incoming.headers, body).then((record) => {
        requests.push(record);
        const reply = answer(record);
        response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(reply.json));
      }, () => incoming.socket.destroy());
    });
  });

  async function read(path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<ImageServerRequest> {
    const record: ImageServerRequest = { path, headers, json: undefined, fields: [], files: [], problems: [] };
    if (path.startsWith('/v1/images/edits')) {
      await readForm(headers, body, record);
      checkEdit(record, sizes);
    } else {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) record.json = parsed as Record<string, unknown>;
      } catch {
        record.problems.push('the body is not JSON');
      }
      if (path.startsWith('/v1/images/generations')) checkGeneration(record, sizes);
    }
    return record;
  }

  function answer(record: ImageServerRequest): ImageServerReply {
    if (record.problems.length > 0) {
      return { status: 400, json: { error: { message: `invalid request: ${record.problems.join('; ')}`, type: 'invalid_request_error', param: null, code: null } } };
    }
    if (!record.path.startsWith('/v1/images/')) {
      const reply = defaultReply({ method: 'POST', path: record.path, headers: record.headers, body: record.json, problems: [] });
      return { status: 'status' in reply ? reply.status ?? 200 : 200, json: 'json' in reply ? reply.json : {} };
    }
    if (handler !== undefined) return handler(record);
    const settings = new Map(record.json === undefined ? record.fields : Object.entries(record.json).map(([name, value]) => [name, String(value)]));
    const [width, height] = (settings.get('size') ?? '1024x1024').replace('auto', '1024x1024').split('x').map(Number) as [number, number];
    const count = Number(settings.get('n') ?? '1');
    const seed = hashString(`${settings.get('prompt') ?? ''}|${record.files.map((file) => file.data.toString('base64')).join('|')}`);
    const asUrl = settings.get('response_format') === 'url';
    const data = Array.from({ length: count }, (_, index) => {
      const png = renderImage((seed + index) >>> 0, Math.max(1, Math.round(width / 8)), Math.max(1, Math.round(height / 8)));
      return asUrl ? { url: `https://images.example/${index}.png` } : { b64_json: png.toString('base64'), revised_prompt: `A picture: ${settings.get('prompt') ?? ''}` };
    });
    return { json: { created: 1_765_000_000, data, usage: { input_tokens: 40, output_tokens: 1056 * count, total_tokens: 40 + 1056 * count } } };
  }

  const port = await listenLocal(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setHandler(next) {
      handler = next;
    },
    async close() {
      await closeNow(server);
    },
  };
}

/** Reads a multipart body into `record`'s fields and files (a problem when it is not one). */
function readForm(headers: IncomingHttpHeaders, body: Buffer, record: ImageServerRequest): Promise<void> {
  if (!/^multipart\/form-data;\s*boundary=/i.test(headers['content-type'] ?? '')) {
    record.problems.push(`edits take multipart/form-data, got ${headers['content-type'] ?? 'no content type'}`);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const form = new Busboy({ headers: { ...headers, 'content-type': headers['content-type'] ?? '' } });
    const pending: Promise<void>[] = [];
    form.on('field', (name: string, value: string) => record.fields.push([name, value]));
    form.on('file', (field: string, stream: NodeJS.ReadableStream, fileName: string, _encoding: string, mimeType: string) => {
      pending.push((async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        record.files.push({ field, fileName, mimeType, data: Buffer.concat(chunks) });
      })());
    });
    form.on('finish', () => {
      Promise.all(pending).then(() => resolve(), reject);
    });
    form.on('error', reject);
    form.end(body);
  });
}

function checkCommon(settings: Map<string, unknown>, problems: string[], sizes: ReadonlySet<string>): void {
  const prompt = settings.get('prompt');
  if (typeof prompt !== 'string' || prompt.trim() === '') problems.push('prompt must be a non-empty string');
  if (typeof settings.get('model') !== 'string') problems.push('model must be a string');
  const n = Number(settings.get('n') ?? 1);
  if (!Number.isInteger(n) || n < 1 || n > 10) problems.push(`n must be an integer from 1 to 10, got ${String(settings.get('n'))}`);
  const size = settings.get('size');
  if (size !== undefined && (typeof size !== 'string' || !sizes.has(size))) problems.push(`size ${JSON.stringify(size)} is not one of ${[...sizes].join(', ')}`);
  const format = settings.get('response_format');
  if (format !== undefined && format !== 'b64_json' && format !== 'url') problems.push(`response_format ${JSON.stringify(format)} is not b64_json or url`);
}

function checkGeneration(record: ImageServerRequest, sizes: ReadonlySet<string>): void {
  if (record.json === undefined) {
    if (record.problems.length === 0) record.problems.push('the body must be a JSON object');
    return;
  }
  for (const name of Object.keys(record.json)) if (!GENERATION_FIELDS.has(name)) record.problems.push(`unknown parameter ${name}`);
  if (record.json.n !== undefined && typeof record.json.n !== 'number') record.problems.push('n must be a number');
  checkCommon(new Map(Object.entries(record.json)), record.problems, sizes);
}

function checkEdit(record: ImageServerRequest, sizes: ReadonlySet<string>): void {
  if (record.problems.length > 0) return;
  for (const [name] of record.fields) if (!GENERATION_FIELDS.has(name)) record.problems.push(`unknown parameter ${name}`);
  checkCommon(new Map(record.fields), record.problems, sizes);
  const fields = new Set(record.files.map((file) => file.field));
  if (record.files.length === 0) record.problems.push('image is required');
  if (fields.has('image') && (fields.has('image[]') || record.files.length > 1)) record.problems.push('send one image as image, several as image[]');
  for (const name of fields) if (name !== 'image' && name !== 'image[]') record.problems.push(`unexpected file field ${name}`);
  for (const file of record.files) if (!IMAGE_TYPES.has(file.mimeType)) record.problems.push(`${file.fileName}: ${file.mimeType} is not png, jpeg or webp`);
}

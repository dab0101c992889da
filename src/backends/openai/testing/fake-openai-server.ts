/**
 * A local OpenAI-compatible server for tests and the throughput check (node:http on
 * 127.0.0.1, port 0). It records every request, validates each body the way a strict server
 * would (validate-openai-request.ts) and answers a request with problems with OpenAI's 400
 * error body, so a translation bug fails the test that caused it. Answers come from a handler
 * (default: the recorded vLLM completion / embeddings fixtures): JSON, SSE streams, delays,
 * dropped connections.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadFixture } from './load-fixture.js';
import { validateChatRequest, validateEmbeddingRequest } from './validate-openai-request.js';
import { closeNow, listenLocal } from '../../../lib/testing/local-http-server.js';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** The path with its query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** What the validator found wrong; empty for a valid body. */
  problems: string[];
}

/** How to answer one request. */
export type FakeReply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; text?: string; delayMs?: number }
  | { sse: readonly unknown[]; headers?: Record<string, string>; delayMs?: number; chunkDelayMs?: number; isDoneSent?: boolean }
  | { destroy: true; delayMs?: number };

/** Decides the answer to a request. */
export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAIServerOptions {
  /** Keep every request in `requests`; default true. */
  shouldRecord?: boolean;
  /** Validate bodies (and answer 400 to invalid ones); default true. */
  shouldValidate?: boolean;
  /** The initial handler; default `defaultReply`. */
  handler?: FakeHandler;
  /** Answer every request with this JSON text at once, reading nothing (throughput checks). */
  fixedReply?: string;
}

export interface FakeOpenAIServer {
  /** The API root, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  requests: RecordedRequest[];
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
}

/** The recorded vLLM answer (model name echoed) for chat, the recorded embeddings answer, 404 elsewhere. */
export function defaultReply(request: RecordedRequest): FakeReply {
  const model = typeof request.body === 'object' && request.body !== null ? (request.body as { model?: unknown }).model : undefined;
  if (request.path.startsWith('/v1/chat/completions')) return { json: { ...loadFixture<Record<string, unknown>>('chat-completion-vllm'), model } };
  if (request.path.startsWith('/v1/embeddings')) return { json: { ...loadFixture<Record<string, unknown>>('embeddings'), model } };
  return { status: 404, json: { error: { message: `no route for ${request.path}`, type: 'not_found_error', param: null, code: null } } };
}

/** Starts a server on a free port. */
export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const shouldRecord = options.shouldRecord ?? true;
  const shouldValidate = options.shouldValidate ?? true;
  let handler = options.handler ?? defaultReply;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const wait = (delayMs: number | undefined): Promise<void> =>
    delayMs === undefined || delayMs <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, delayMs);
          timers.add(timer);
        });

  const fixed = options.fixedReply === undefined ? undefined : Buffer.from(options.fixedReply);
  const server = createServer((incoming, response) => {
    if (fixed !== undefined) {
      incoming.resume();
      incoming.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': fixed.length });
        response.end(fixed);
      });
      return;
    }
    answer(incoming, response).catch(() => incoming.socket.destroy());
  });

  async function answer(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const path = incoming.url ?? '/';
    const problems = !shouldValidate ? [] : path.startsWith('/v1/embeddings') ? validateEmbeddingRequest(body) : path.startsWith('/v1/chat/completions') ? validateChatRequest(body) : [];
    const recorded: RecordedRequest = { method: incoming.method ?? 'GET', path, headers: incoming.headers, body, problems };
    if (shouldRecord) requests.push(recorded);
    const reply: FakeReply =
      problems.length > 0
        ? { status: 400, json: { error: { message: `invalid request: ${problems.join('; ')}`, type: 'invalid_request_error', param: null, code: null } } }
        : await handler(recorded);
    await wait(reply.delayMs);
    if (response.destroyed) return;
    if ('destroy' in reply) {
      incoming.socket.destroy();
      return;
    }
    if ('sse' in reply) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
      for (const event of reply.sse) {
        if (response.destroyed) return;
        response.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
        await wait(reply.chunkDelayMs);
      }
      if (reply.isDoneSent !== false) response.write('data: [DONE]\n\n');
      response.end();
      return;
    }
    const payload = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
    response.writeHead(reply.status ?? 200, { 'content-type': reply.text === undefined ? 'application/json' : 'text/plain', ...reply.headers });
    response.end(payload);
  }

  const port = await listenLocal(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setHandler(next) {
      handler = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeNow(server);
    },
  };
}

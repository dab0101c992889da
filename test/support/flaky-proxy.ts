/**
 * A real HTTP reverse proxy (node:http only) in front of a real batchmode server, that fails on
 * demand the way a poor network or an overloaded front end does, and counts what it saw.
 *
 *   const proxy = await startFlakyProxy(server.url);
 *   proxy.failNext(2, 503, { retryAfter: '1' });            // the next 2 requests: 503 with Retry-After
 *   proxy.failNext(1, 'drop', { when: (r) => r.uploadOffset === String(8 << 20) }); // one chunk cut mid-request
 *   proxy.failNext(1, 'drop-response', { when: (r) => r.method === 'POST' });       // forwarded, the answer lost
 *   proxy.failFor(2_000, 'drop');                            // every request for 2 s: connection dropped
 *   proxy.seen.requests; proxy.seen.failures; proxy.seen.log  // what came through, and what was failed
 *   await proxy.close();
 *
 * Ways to fail (`how`):
 * - `'drop'`: the connection is destroyed mid-request: a request with a body is forwarded and
 *   half of its body (or `afterBytes`, never all of it) is passed on before both sides are cut,
 *   so the server sees a request that broke off; a request without a body is cut before it is
 *   forwarded.
 * - `'drop-response'`: the request is forwarded whole and the server answers (so it acted on
 *   it), then the client's connection is destroyed: before any byte of the answer, or, with
 *   `afterBytes`, after the status, headers and that many bytes of the body.
 * - a status (`503`, `429`, `500`…): answered by the proxy without forwarding, with a
 *   google.rpc.Status body and `Retry-After: <retryAfter>` when given.
 * Rules given by failNext are used up in order; failFor rules apply until their time is over;
 * a request matching no rule is passed through untouched (bodies streamed both ways).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FailureMode = 'drop' | 'drop-response' | number;

export interface FailureOptions {
  /** Fail only requests this accepts (others pass through and do not use the rule up). */
  when?: (request: SeenRequest) => boolean;
  /** For a status: the Retry-After header sent with it (seconds, or an HTTP date). */
  retryAfter?: string;
  /** For 'drop': request body bytes passed on before the cut; for 'drop-response': answer body bytes sent before it. */
  afterBytes?: number;
}

export interface SeenRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  /** `x-goog-upload-command`, e.g. `upload`, `upload, finalize`, `query`. */
  uploadCommand?: string;
  uploadOffset?: string;
  range?: string;
  idempotencyKey?: string;
  /** How the proxy failed it, if it did. */
  failed?: FailureMode;
  /** The server's answer status, when one came back. */
  status?: number;
  /** The error of the proxy's own connection to the server, if it broke unasked. */
  upstreamError?: string;
}

export interface FlakyProxy {
  /** The proxy's base URL: give it to the client instead of the server's. */
  readonly url: string;
  /** Fails the next `count` requests (that `options.when` accepts) this way. */
  failNext(count: number, how: FailureMode, options?: FailureOptions): void;
  /** Fails every request (that `options.when` accepts) this way for the next `ms`. */
  failFor(ms: number, how: FailureMode, options?: FailureOptions): void;
  /** Drops all pending rules and clears what was seen. */
  reset(): void;
  readonly seen: { requests: number; failures: number; log: SeenRequest[] };
  close(): Promise<void>;
}

interface Rule extends FailureOptions {
  how: FailureMode;
  remaining?: number;
  untilMs?: number;
}

export async function startFlakyProxy(targetUrl: string): Promise<FlakyProxy> {
  const target = new URL(targetUrl);
  const rules: Rule[] = [];
  const seen = { requests: 0, failures: 0, log: [] as SeenRequest[] };
  const sockets = new Set<Socket>();

  const header = (request: IncomingMessage, name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const describe = (request: IncomingMessage): SeenRequest => {
    const entry: SeenRequest = { method: request.method ?? 'GET', url: request.url ?? '/' };
    const fields = { uploadCommand: 'x-goog-upload-command', uploadOffset: 'x-goog-upload-offset', range: 'range', idempotencyKey: 'idempotency-key' } as const;
    for (const [field, name] of Object.entries(fields) as [keyof typeof fields, string][]) {
      const value = header(request, name);
      if (value !== undefined) entry[field] = value;
    }
    return entry;
  };
  /** The rule that applies to this request, used up by one if counted. */
  const ruleFor = (entry: SeenRequest): Rule | undefined => {
    const now = Date.now();
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index]!;
      if (rule.untilMs !== undefined && rule.untilMs <= now) {
        rules.splice(index--, 1);
        continue;
      }
      if (rule.when && !rule.when(entry)) continue;
      if (rule.remaining !== undefined && --rule.remaining <= 0) rules.splice(index, 1);
      return rule;
    }
    return undefined;
  };

  /** Forwards the request; `cutRequestAfter` bytes of its body pass before both sides are destroyed. */
  const forward = (request: IncomingMessage, response: ServerResponse, rule: Rule | undefined, entry: SeenRequest): void => {
    const upstream = httpRequest({
      host: target.hostname, port: target.port, method: request.method, path: request.url,
      // As a reverse proxy does: the server builds its URLs (the upload URL) for the proxy's address.
      headers: { ...request.headers, host: target.host, connection: 'close', 'x-forwarded-host': request.headers.host ?? '', 'x-forwarded-proto': 'http' },
      agent: false,
    });
    const cutRequest = rule?.how === 'drop';
    upstream.on('error', (error) => {
      if (!cutRequest) entry.upstreamError = error.message;
      response.socket?.destroy();
    });
    upstream.on('response', (answer) => {
      entry.status = answer.statusCode;
      if (rule?.how === 'drop-response') return answerThenDrop(answer, response, rule.afterBytes);
      response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(response);
      answer.on('error', () => response.socket?.destroy());
    });
    if (!cutRequest) {
      request.pipe(upstream);
      return;
    }
    const length = Number(header(request, 'content-length') ?? 0);
    // Never the whole body (when its length is known): the server must see a request broken off.
    let budget = length > 0 ? Math.min(rule.afterBytes ?? Math.floor(length / 2), length - 1) : rule.afterBytes ?? 0;
    let cutting = false;
    const cut = (): void => {
      if (cutting) return;
      cutting = true;
      // Give the server a moment to take in what was sent, then break both connections.
      setTimeout(() => {
        upstream.destroy();
        request.socket.destroy();
      }, 20);
    };
    request.on('data', (chunk: Buffer) => {
      if (budget <= 0) return;
      const part = chunk.subarray(0, budget);
      budget -= part.length;
      upstream.write(part);
      if (budget <= 0) cut();
    });
    // A body of unknown length that ended within `afterBytes`: cut now.
    request.on('end', cut);
    if (budget <= 0) cut();
  };

  const answerThenDrop = (answer: IncomingMessage, response: ServerResponse, afterBytes: number | undefined): void => {
    if (afterBytes === undefined) {
      answer.resume();
      answer.on('end', () => response.socket?.destroy());
      return;
    }
    response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    let budget = afterBytes;
    let done = false;
    const drop = (): void => {
      if (done) return;
      done = true;
      answer.destroy();
      // Let what was written reach the client before the connection breaks.
      setTimeout(() => response.socket?.destroy(), 20);
    };
    answer.on('data', (chunk: Buffer) => {
      if (done) return;
      const part = chunk.subarray(0, budget);
      budget -= part.length;
      if (part.length > 0) response.write(part);
      if (budget <= 0) drop();
    });
    answer.on('end', drop);
    if (budget <= 0) drop();
  };

  const server = createServer((request, response) => {
    seen.requests++;
    const entry = describe(request);
    seen.log.push(entry);
    const rule = ruleFor(entry);
    if (rule) {
      seen.failures++;
      entry.failed = rule.how;
    }
    if (rule && typeof rule.how === 'number') {
      const status = rule.how;
      request.resume();
      request.on('end', () => {
        const body = JSON.stringify({ error: { code: status, message: `flaky proxy: ${status}`, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE' } });
        response.writeHead(status, { 'content-type': 'application/json', ...(rule.retryAfter !== undefined ? { 'retry-after': rule.retryAfter } : {}) });
        response.end(body);
      });
      return;
    }
    if (rule?.how === 'drop' && !hasBody(request)) {
      request.socket.destroy();
      return;
    }
    forward(request, response, rule, entry);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    failNext(count, how, options = {}) {
      if (count > 0) rules.push({ ...options, how, remaining: count });
    },
    failFor(ms, how, options = {}) {
      rules.push({ ...options, how, untilMs: Date.now() + ms });
    },
    reset() {
      rules.length = 0;
      seen.requests = 0;
      seen.failures = 0;
      seen.log.length = 0;
    },
    seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The answer's headers without the hop-by-hop ones (the proxy's own connection to the client is kept alive). */
function endToEnd(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const { connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
}

function hasBody(request: IncomingMessage): boolean {
  return Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
}

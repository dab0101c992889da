/**
 * Raw-socket HTTP for the hostile-input suites (test/e2e/hostile-http-*.test.ts): writes bytes
 * on a fresh connection and reads one HTTP answer (or its absence), and starts a
 * `batchmode serve` process whose every answer is checked the same way: never a 5xx, a
 * google.rpc JSON body wherever there is an answer, and right after it `/healthz` answers 200
 * and the process is alive.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { startServerProcess, type ServerProcess } from './server-process.js';

export const KEY = 'hostile-key';
export const MIB = 1024 * 1024;
export const BAD = '%E0%A4%A';

export interface Answer {
  /** The status code, or undefined when no complete answer came. */
  status: number | undefined;
  contentType: string | undefined;
  body: string;
  /** 'closed' (the server ended the connection without an answer) or 'pending' (no answer yet). */
  outcome: 'answered' | 'closed' | 'pending';
}

export interface SendOptions {
  /**
   * How long to watch for an answer after the last write (ms): a deliberate window, since a
   * `pending` outcome (the server rightly still waiting) can only be seen as no answer in time.
   */
  waitMs?: number;
  /** Called with the socket after the payload is written (further writes, trickling). */
  then?: (socket: Socket) => Promise<void>;
}

/** Writes `payload` on a fresh connection and reads one HTTP answer (or its absence). */
export function send(port: number, payload: string | Buffer | readonly (string | Buffer)[], options: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Answer['outcome']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(received, outcome));
    };
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (isComplete(received)) finish('answered');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(isComplete(received) ? 'answered' : 'closed'));
    socket.once('connect', () => {
      void (async () => {
        const parts: readonly (string | Buffer)[] = typeof payload === 'string' || Buffer.isBuffer(payload) ? [payload] : payload;
        for (const part of parts) {
          if (socket.destroyed) break;
          if (!socket.write(part)) await drainOrClose(socket);
        }
        if (options.then && !socket.destroyed) await options.then(socket);
        timer = setTimeout(() => finish('pending'), options.waitMs ?? 3_000);
      })();
    });
  });
}

/** Waits until the socket takes more bytes, or is gone. */
function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

/** Whether `data` holds a whole response: headers and a body of its content-length. */
function isComplete(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && data.length >= end + 4 + Number(length);
}

function parseAnswer(data: Buffer, outcome: Answer['outcome']): Answer {
  const end = data.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(data.toString('latin1', 0, 16))?.[1];
  if (end === -1 || status === undefined) return { status: undefined, contentType: undefined, body: '', outcome: outcome === 'answered' ? 'closed' : outcome };
  const head = data.subarray(0, end).toString('latin1');
  return {
    status: Number(status),
    contentType: /\r\ncontent-type:\s*([^\r]+)/i.exec(head)?.[1],
    body: data.subarray(end + 4).toString('utf8'),
    outcome: 'answered',
  };
}

export function describeAnswer(answer: Answer): string {
  if (answer.status === undefined) return answer.outcome;
  const rpc = /"status":"([A-Z_]+)"/.exec(answer.body)?.[1];
  const message = /"message":"((?:[^"\\]|\\.)*)"/.exec(answer.body)?.[1];
  return `${answer.status}${rpc ? ` ${rpc}` : ''}${message ? `: ${message.slice(0, 90)}` : ''}`;
}

export const request = (method: string, target: string, headers: Record<string, string> = {}, body = ''): string =>
  `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${Object.entries({ ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) })
    .map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`;
export const withKey = (method: string, target: string, headers: Record<string, string> = {}, body = ''): string =>
  request(method, target, { 'x-goog-api-key': KEY, ...headers }, body);
export const deepJson = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** A hostile case: the bytes, and the statuses (or outcomes) that are right for it. */
export interface Case {
  name: string;
  payload: string | Buffer | readonly (string | Buffer)[];
  expect: readonly (number | Answer['outcome'])[];
  options?: SendOptions;
  /** A fragment the error message must contain. */
  message?: string;
}


/** A `batchmode serve` process under hostile input, and the checks every case goes through. */
export interface HostileServer {
  server: ServerProcess;
  port: number;
  /** The process has not exited and `/healthz` answers 200. */
  assertAlive(): Promise<void>;
  /** Sends one case, asserts its answer (see the header), then `assertAlive`. */
  check(context: TestContext, item: Case): Promise<void>;
  checkAll(context: TestContext, cases: readonly Case[]): Promise<void>;
  /** The complaints (error or warning lines) the server logged so far. */
  complaints(): string[];
  stop(): Promise<void>;
}

/**
 * Starts the server with key `KEY`; gemini-2.5-pro never answers in time (a batch on it stays
 * RUNNING), every other gemini-* model is simulated.
 */
export async function startHostileServer(): Promise<HostileServer> {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-hostile-'));
  const config = join(work, 'models.json');
  writeFileSync(config, JSON.stringify({ models: [
    { name: 'gemini-2.5-pro', backend: { type: 'simulated', latencyMs: 600_000 } },
    { name: 'gemini-*', backend: { type: 'simulated' } },
  ] }));
  const server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config } });
  const port = Number(new URL(server.url).port);

  const assertAlive = async (): Promise<void> => {
    assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(health.status, 200);
    await health.body?.cancel();
  };

  const check = async (context: TestContext, item: Case): Promise<void> => {
    const answer = await send(port, item.payload, item.options);
    context.diagnostic(`${item.name} → ${describeAnswer(answer)}`);
    if (answer.status !== undefined) {
      assert.ok(answer.status < 500, `${item.name}: ${answer.status} ${answer.body}`);
      assert.match(answer.contentType ?? '', /^application\/json/, `${item.name}: content-type ${answer.contentType}`);
      const body = JSON.parse(answer.body) as { error?: { code?: number; status?: unknown; message?: string } };
      if (answer.status >= 400) {
        assert.equal(body.error?.code, answer.status, `${item.name}: ${answer.body}`);
        assert.equal(typeof body.error?.status, 'string', `${item.name}: ${answer.body}`);
        if (item.message) assert.ok(body.error?.message?.includes(item.message), `${item.name}: ${answer.body}`);
      }
    }
    assert.ok(item.expect.includes(answer.status ?? answer.outcome), `${item.name}: got ${describeAnswer(answer)}, expected ${item.expect.join(' or ')}`);
    await assertAlive();
  };

  const checkAll = async (context: TestContext, cases: readonly Case[]): Promise<void> => {
    for (const item of cases) await check(context, item);
  };

  return {
    server,
    port,
    assertAlive,
    check,
    checkAll,
    complaints: () => server.output().split('\n').filter((line) => /"level":"(error|warn)"|Warning|Error/.test(line)),
    stop: async () => {
      await server.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * Starts one hostile-input server for the enclosing `describe` (before) and stops it after;
 * returns a getter for it.
 */
export function useHostileServer(): () => HostileServer {
  let hostile: HostileServer | undefined;
  before(async () => {
    hostile = await startHostileServer();
  });
  after(async () => {
    await hostile?.stop();
  });
  return () => {
    if (!hostile) throw new Error('the hostile-input server has not started yet');
    return hostile;
  };
}

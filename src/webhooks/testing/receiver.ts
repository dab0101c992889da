/**
 * Test helper: a real HTTP receiver on 127.0.0.1 that records each request and answers as the
 * test says (204 by default). `next()` resolves at the next request, so tests wait on events,
 * not on time.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeNow, listenLocal } from '../../lib/testing/local-http-server.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (request: ReceivedRequest, response: ServerResponse) => void;

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** How the following requests are answered. */
  answer(answer: Answer): void;
  /** The next request to arrive (or the oldest one not yet taken by `next`). */
  next(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = (_request, response) => response.writeHead(204).end()): Promise<Receiver> {
  let current = answer;
  const requests: ReceivedRequest[] = [];
  let taken = 0;
  const waiters: ((request: ReceivedRequest) => void)[] = [];
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      current(request, response);
      const waiter = waiters.shift();
      if (waiter) {
        taken++;
        waiter(request);
      }
    });
  });
  const port = await listenLocal(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answer: (next) => void (current = next),
    next: () => {
      const waiting = requests[taken];
      if (waiting) {
        taken++;
        return Promise.resolve(waiting);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    close: async () => {
      await closeNow(server);
    },
  };
}

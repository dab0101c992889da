/**
 * A real HTTP receiver for webhook deliveries: it records every request (headers, raw body,
 * parsed JSON) and answers as the test scripts it: a status per attempt, or never (to hold a
 * delivery open while the sender is killed). `waitFor` awaits a delivery matching a predicate.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { pollUntil } from './poll.js';
import { closeNow, listenLocal } from '../../src/lib/testing/local-http-server.js';

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { type?: string; version?: string; timestamp?: string; data?: Record<string, unknown>; user_metadata?: unknown };
  receivedAtMs: number;
}

/** How to answer one request: a status code, or 'hang' (never answer). */
export type Answer = number | 'hang';

export interface WebhookReceiver {
  /** Base URL, e.g. http://127.0.0.1:1234 (any path under it is accepted). */
  url: string;
  received: ReceivedDelivery[];
  /** Decides each answer; the default answers 200. */
  answer: (delivery: ReceivedDelivery, attempt: number) => Answer;
  waitFor(predicate: (delivery: ReceivedDelivery) => boolean, timeoutMs?: number, what?: string): Promise<ReceivedDelivery>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hanging = new Set<ServerResponse>();
  const attemptsById = new Map<string, number>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    answer: () => 200,
    waitFor: (predicate, timeoutMs = 20_000, what = 'a webhook delivery') =>
      pollUntil(async () => receiver.received.find(predicate), (found) => found !== undefined, timeoutMs, 20, what) as Promise<ReceivedDelivery>,
    close: async () => {
      for (const response of hanging) response.destroy();
      await closeNow(server);
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: ReceivedDelivery['json'] = {};
      try {
        json = JSON.parse(body) as ReceivedDelivery['json'];
      } catch {
        // recorded as received; the test decides whether a non-JSON body is a failure
      }
      const delivery: ReceivedDelivery = { path: request.url ?? '/', headers: request.headers, body, json, receivedAtMs: Date.now() };
      const id = String(request.headers['webhook-id'] ?? '');
      const attempt = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, attempt);
      receiver.received.push(delivery);
      const answer = receiver.answer(delivery, attempt);
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  receiver.url = `http://127.0.0.1:${await listenLocal(server)}`;
  return receiver;
}

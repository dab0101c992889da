// One delivery attempt against a real local receiver: what a 2xx, a 500 and a redirect come
// to, that a silent or trickling receiver is cut off at the timeout, that a huge answer is cut
// at 64 KiB, and that the `public` policy refuses a loopback receiver before connecting.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, beforeEach, test } from 'node:test';
import { VERSION } from '../core/version.js';
import { createDeliverySender, type DeliverySender } from './send-delivery.js';
import { startReceiver, type Receiver } from './testing/receiver.js';

let receiver: Receiver;
const senders: DeliverySender[] = [];
const sender = (timeoutMs = 5_000, destinationPolicy: 'any' | 'public' = 'any'): DeliverySender => {
  const created = createDeliverySender({ timeoutMs, destinationPolicy });
  senders.push(created);
  return created;
};
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(senders.splice(0).map((created) => created.close()));
  await receiver.close();
});

test('a 2xx answer is a delivery; the request carries the body, the headers, the type and the user agent', async () => {
  const result = await sender().send(`${receiver.origin}/hook?x=1`, { 'webhook-id': 'msg_1' }, '{"a":1}');
  assert.equal(result.ok, true);
  assert.equal(result.status, 204);
  assert.equal(typeof result.durationMs, 'number');
  const [request] = receiver.requests;
  assert.deepEqual([request?.method, request?.path, request?.body], ['POST', '/hook?x=1', '{"a":1}']);
  assert.equal(request?.headers['content-type'], 'application/json');
  assert.equal(request?.headers['user-agent'], `batchmode-webhooks/${VERSION}`);
  assert.equal(request?.headers['webhook-id'], 'msg_1');
});

test('a 500 is a failure with its status and the start of the answer', async () => {
  receiver.answer((_request, response) => response.writeHead(500).end('boom'));
  assert.deepEqual({ ...(await sender().send(receiver.origin, {}, '{}')), durationMs: 0 }, { ok: false, status: 500, error: 'HTTP 500: boom', durationMs: 0 });
});

test('a redirect is not followed: the 3xx is the failure', async () => {
  receiver.answer((request, response) => {
    if (request.path === '/hook') response.writeHead(307, { location: '/elsewhere' }).end();
    else response.writeHead(204).end();
  });
  const result = await sender().send(`${receiver.origin}/hook`, {}, '{}');
  assert.deepEqual([result.ok, result.status], [false, 307]);
  assert.match(result.error ?? '', /redirects are not followed/);
  assert.deepEqual(receiver.requests.map((request) => request.path), ['/hook']);
});

test('a receiver that never answers is given up on within the timeout', async () => {
  receiver.answer(() => undefined);
  const result = await sender(300).send(receiver.origin, {}, '{}');
  assert.equal(result.ok, false);
  assert.equal(result.status, undefined);
  assert.match(result.error ?? '', /no answer within 300 ms|timeout/i);
  assert.ok(result.durationMs < 3_000, `took ${result.durationMs} ms`);
});

test('a receiver trickling its answer is cut off by the overall deadline', async () => {
  receiver.answer((_request, response) => {
    response.writeHead(500);
    const timer = setInterval(() => response.write('.'), 20);
    response.on('close', () => clearInterval(timer));
  });
  const result = await sender(400).send(receiver.origin, {}, '{}');
  assert.deepEqual([result.ok, result.status], [false, 500]);
  assert.ok(result.durationMs < 3_000, `took ${result.durationMs} ms`);
});

test('a huge answer is read only to 64 KiB and the rest is discarded', async () => {
  let closed: Promise<unknown> = Promise.resolve();
  receiver.answer((_request, response) => {
    closed = once(response, 'close');
    response.writeHead(500);
    const chunk = 'x'.repeat(16 * 1024);
    // Endless: only the sender hanging up ends it.
    const pump = (): void => {
      while (!response.destroyed && response.write(chunk));
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  });
  const result = await sender(30_000).send(receiver.origin, {}, '{}');
  assert.deepEqual([result.ok, result.status], [false, 500]);
  assert.equal(result.error, `HTTP 500: ${'x'.repeat(200)}`, 'its start is kept');
  await closed;
});

test("under 'public', a loopback receiver is refused at connect time, by address or by name", async () => {
  const strict = sender(5_000, 'public');
  const port = new URL(receiver.origin).port;
  for (const uri of [receiver.origin, `http://localhost:${port}`]) {
    const result = await strict.send(uri, {}, '{}');
    assert.equal(result.ok, false, uri);
    assert.match(result.error ?? '', /destination policy refuses/, uri);
  }
  assert.equal(receiver.requests.length, 0);
  assert.equal((await sender(5_000, 'any').send(receiver.origin, {}, '{}')).ok, true, "'any' reaches it");
});

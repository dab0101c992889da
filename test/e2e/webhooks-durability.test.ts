/**
 * Webhook delivery guarantees on the embedded server, with a real receiver:
 * - kill -9 between a batch ending and a successful delivery: after the restart the event is
 *   delivered, under the same `webhook-id`;
 * - a receiver that keeps failing past the retry window: the webhook becomes
 *   `disabled_due_to_failed_deliveries`, visible on the resource;
 * - `batch.failed`, when a restart's configuration no longer serves a queued batch's model;
 * - `batchmode rotate-webhook-key`: per-batch deliveries are signed with the new key, and the
 *   previous key stays published;
 * - the `public` destination policy refuses loopback receivers at create time.
 */
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { pollUntil } from '../support/poll.js';
import { runCli } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../support/webhook-receiver.js';

const KEY = 'durable-hooks';
const MODEL = 'gemini-2.5-flash';

describe('webhook delivery guarantees (embedded)', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-webhook-durability-'));
  const servers: ServerProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  after(async () => {
    for (const server of servers) await server.stop();
    for (const receiver of receivers) await receiver.close();
    rmSync(work, { recursive: true, force: true });
  });
  const start = async (dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> => {
    const server = await startServerProcess({ dataDir, args, env: { BATCHMODE_API_KEYS: KEY, ...env } });
    servers.push(server);
    return server;
  };
  const receiver = async (): Promise<WebhookReceiver> => {
    const started = await startWebhookReceiver();
    receivers.push(started);
    return started;
  };
  const createBatch = async (url: string, model = MODEL, count = 2): Promise<string> => {
    const requests = Array.from({ length: count }, (_, index) => ({ request: { contents: [{ parts: [{ text: `hello ${index}` }] }] }, metadata: { key: `k${index}` } }));
    const response = await fetch(`${url}/v1beta/models/${model}:batchGenerateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { inputConfig: { requests: { requests } } } }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { name: string }).name;
  };
  const kill9 = async (server: ServerProcess): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve());
      server.child.kill('SIGKILL');
    });
  };

  test('kill -9 while the delivery is in flight: delivered after the restart, same webhook-id', { timeout: 120_000 }, async () => {
    const dataDir = join(work, 'kill');
    const hooks = await receiver();
    let server = await start(dataDir, ['--webhook-timeout-seconds', '30']);
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
    const hook = await ai.webhooks.create({ uri: `${hooks.url}/in`, subscribed_events: ['batch.succeeded'] });
    // The first attempt is held open (never answered), so the delivery has not succeeded when the server dies.
    hooks.answer = (_delivery, attempt) => (attempt === 1 ? 'hang' : 200);
    const name = await createBatch(server.url);
    const first = await hooks.waitFor((delivery) => delivery.json.data?.id === name);
    await kill9(server);

    server = await start(dataDir, ['--webhook-timeout-seconds', '30']);
    const again = await hooks.waitFor((delivery) => delivery.json.data?.id === name && delivery !== first, 30_000, 'the delivery after the restart');
    assert.equal(again.headers['webhook-id'], first.headers['webhook-id'], 'the same webhook-id after the restart');
    assert.equal(again.body, first.body, 'the same event');
    new Webhook(hook.new_signing_secret ?? '').verify(again.body, {
      'webhook-id': String(again.headers['webhook-id']), 'webhook-timestamp': String(again.headers['webhook-timestamp']),
      'webhook-signature': String(again.headers['webhook-signature']),
    });
  });

  test('a receiver failing past the retry window disables its webhook', { timeout: 120_000 }, async () => {
    const hooks = await receiver();
    hooks.answer = () => 500;
    // 0.002 h = 7.2 s of retries.
    const server = await start(join(work, 'give-up'), ['--webhook-retry-hours', '0.002']);
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
    const hook = await ai.webhooks.create({ uri: `${hooks.url}/down`, subscribed_events: ['batch.succeeded'] });
    const name = await createBatch(server.url);
    const disabled = await pollUntil(() => ai.webhooks.get(hook.id ?? ''), (current) => current.state !== 'enabled', 60_000, 200, 'the webhook to be disabled');
    assert.equal(disabled.state, 'disabled_due_to_failed_deliveries');
    const tries = hooks.received.filter((delivery) => delivery.json.data?.id === name);
    assert.ok(tries.length >= 3, `retried before giving up (${tries.length} attempts)`);
    assert.equal(new Set(tries.map((delivery) => delivery.headers['webhook-id'])).size, 1);
    const gaps = tries.slice(1).map((delivery, index) => delivery.receivedAtMs - tries[index]!.receivedAtMs);
    assert.ok(gaps.at(-1)! > gaps[0]!, `the back-off grows (gaps ${gaps.join(', ')} ms)`);

    // Re-enabled, it receives events again.
    await ai.webhooks.update(hook.id ?? '', { state: 'enabled', update_mask: 'state' });
    hooks.answer = () => 200;
    const next = await createBatch(server.url);
    await hooks.waitFor((delivery: ReceivedDelivery) => delivery.json.data?.id === next);
  });

  test('batch.failed: a restart whose configuration no longer serves the batch model fails it', { timeout: 120_000 }, async () => {
    const dataDir = join(work, 'failed');
    const hooks = await receiver();
    const before = join(work, 'before.yaml');
    const afterwards = join(work, 'after.yaml');
    writeFileSync(before, `models:\n  - name: ${MODEL}\n    backend: { type: simulated }\n  - name: retired-model\n    backend: { type: simulated }\n`);
    writeFileSync(afterwards, `models:\n  - name: ${MODEL}\n    backend: { type: simulated }\n`);
    let server = await start(dataDir, ['--config', before, '--workers', 'false']);
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
    const hook = await ai.webhooks.create({ uri: `${hooks.url}/failures`, subscribed_events: ['batch.failed'] });
    const name = await createBatch(server.url, 'retired-model', 3);
    await server.stop();
    servers.splice(servers.indexOf(server), 1);

    server = await start(dataDir, ['--config', afterwards]);
    const event = await hooks.waitFor((delivery) => delivery.json.type === 'batch.failed' && delivery.json.data?.id === name, 30_000);
    assert.equal(event.json.data?.error_code, 5);
    assert.match(String(event.json.data?.error_message), /retired-model/);
    new Webhook(hook.new_signing_secret ?? '').verify(event.body, {
      'webhook-id': String(event.headers['webhook-id']), 'webhook-timestamp': String(event.headers['webhook-timestamp']),
      'webhook-signature': String(event.headers['webhook-signature']),
    });
    const job = await new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } }).batches.get({ name });
    assert.equal(job.state, 'JOB_STATE_FAILED');
    // The JS SDK does not map a Gemini API operation's `error`: read it over REST.
    const operation = (await (await fetch(`${server.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as { error?: { code: number; message: string } };
    assert.equal(operation.error?.code, 5);
    assert.match(operation.error?.message ?? '', /retired-model/);
  });

  test('rotate-webhook-key: the new key signs, the old one stays published', { timeout: 120_000 }, async () => {
    const dataDir = join(work, 'rotate');
    const hooks = await receiver();
    const jwks = async (url: string): Promise<JSONWebKeySet> => (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    let server = await start(dataDir);
    const before = await jwks(server.url);
    assert.equal(before.keys.length, 1);
    assert.equal(before.keys[0]!.alg, 'RS256');
    assert.equal(before.keys[0]!.d, undefined, 'only the public half is published');
    await server.stop();
    servers.splice(servers.indexOf(server), 1);

    const rotated = await runCli(['rotate-webhook-key', '--data-dir', dataDir], { ...process.env, BATCHMODE_API_KEYS: KEY });
    assert.equal(rotated.code, 0, rotated.stderr);
    server = await start(dataDir);
    const afterwards = await jwks(server.url);
    assert.equal(afterwards.keys.length, 2);
    assert.ok(afterwards.keys.some((key) => key.kid === before.keys[0]!.kid), 'the previous key is still published');

    const uri = `${hooks.url}/rotated`;
    const response = await fetch(`${server.url}/v1beta/models/${MODEL}:batchGenerateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'x' }] }] } }] } }, webhook_config: { uris: [uri] } } }),
    });
    const { name } = (await response.json()) as { name: string };
    const delivery = await hooks.waitFor((entry) => entry.json.data?.id === name);
    const token = String(delivery.headers['webhook-signature']);
    assert.notEqual(decodeProtectedHeader(token).kid, before.keys[0]!.kid, 'signed with the new key');
    await jwtVerify(token, createLocalJWKSet(afterwards), { audience: uri });
  });

  test('--webhook-destinations public refuses loopback receivers', async () => {
    const server = await start(join(work, 'public'), ['--webhook-destinations', 'public']);
    for (const [path, body, field] of [
      ['/v1beta/webhooks', { uri: 'http://127.0.0.1:9/x', subscribed_events: ['batch.succeeded'] }, 'uri'],
      ['/v1beta/webhooks', { uri: 'http://[::1]:9/x', subscribed_events: ['batch.succeeded'] }, 'uri'],
      ['/v1beta/webhooks', { uri: 'http://169.254.169.254/latest', subscribed_events: ['batch.succeeded'] }, 'uri'],
      [`/v1beta/models/${MODEL}:batchGenerateContent`, {
        batch: { inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'x' }] }] } }] } }, webhookConfig: { uris: ['http://localhost:9/'] } },
      }, 'webhookConfig.uris[0]'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST', headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      assert.equal(response.status, 400, path);
      const error = ((await response.json()) as { error: { status: string; message: string } }).error;
      assert.equal(error.status, 'INVALID_ARGUMENT');
      assert.ok(error.message.includes(field), error.message);
    }
  });
});

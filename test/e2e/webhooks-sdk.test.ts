/**
 * Webhooks end to end, with the official @google/genai SDK as the client and a real receiver:
 * `ai.webhooks.*` (create, list, get, update, ping, rotateSigningSecret with both revocation
 * behaviours, delete), static deliveries verified with the `standardwebhooks` package,
 * subscription filtering and tenant isolation, dynamic per-batch webhooks (`webhookConfig`)
 * verified with `jose` against `/.well-known/jwks.json`, the succeeded, cancelled and expired
 * events, and retries of a failing receiver under one `webhook-id`. Both deployments: in
 * scale-out, the API process and two workers all deliver, each delivery claimed by one.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { DEPLOYMENTS, type RunningDeployment } from '../support/deployments.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../support/webhook-receiver.js';

const KEY_A = 'hooks-tenant-a';
const KEY_B = 'hooks-tenant-b';
const MODEL = 'gemini-2.5-flash';
const FINISHED = ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED'];
const ALL_BATCH_EVENTS = ['batch.succeeded', 'batch.failed', 'batch.expired', 'batch.cancelled'];

/** Whether `secret` verifies the delivery (Standard Webhooks: id, timestamp, HMAC over the raw body). */
function verifies(secret: string, delivery: ReceivedDelivery): boolean {
  try {
    new Webhook(secret).verify(delivery.body, {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

const batchIdOf = (name: string): string => name.slice('batches/'.length);

for (const deployment of DEPLOYMENTS) describe(`webhooks through @google/genai — ${deployment.name}`, () => {
  let server: RunningDeployment;
  let receiver: WebhookReceiver;
  let ai: GoogleGenAI;
  let aiB: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-webhooks-'));

  const upload = async (name: string, count: number, client = ai): Promise<string> => {
    const path = join(work, name);
    writeFileSync(path, Array.from({ length: count }, (_, index) =>
      `${JSON.stringify({ key: `k${index}`, request: { contents: [{ parts: [{ text: `request ${index}` }] }] } })}\n`).join(''));
    return (await client.files.upload({ file: path, config: { mimeType: 'jsonl' } })).name ?? '';
  };
  const waitDone = (name: string): Promise<unknown> =>
    pollUntil(() => ai.batches.get({ name }), (job) => FINISHED.includes(job.state ?? ''), 60_000);
  const forBatch = (name: string, type: string, path?: string) => (delivery: ReceivedDelivery): boolean =>
    delivery.json.type === type && delivery.json.data?.id === name && (path === undefined || delivery.path === path);

  before(async () => {
    receiver = await startWebhookReceiver();
    server = await deployment.start({
      env: {
        BATCHMODE_API_KEYS: `${KEY_A},${KEY_B}`, BATCHMODE_SIM_LATENCY_MS: '40', BATCHMODE_WORKER_CONCURRENCY: '4',
        BATCHMODE_SHARD_SIZE: '10', BATCHMODE_WEBHOOK_TIMEOUT_SECONDS: '5',
      },
    });
    ai = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: server.url } });
    aiB = new GoogleGenAI({ apiKey: KEY_B, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server.stop();
    await receiver.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('create, list, get, update, ping, rotate (both behaviours) and delete', async () => {
    const created = await ai.webhooks.create({ name: 'lifecycle', uri: `${receiver.url}/lifecycle`, subscribed_events: ['batch.succeeded'] });
    const secret = created.new_signing_secret ?? '';
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
    assert.ok(Buffer.from(secret.slice('whsec_'.length), 'base64').length >= 24);
    assert.equal(created.state, 'enabled');
    assert.deepEqual(created.subscribed_events, ['batch.succeeded']);
    assert.equal(created.signing_secrets?.length, 1);
    const truncated = created.signing_secrets?.[0]?.truncated_secret ?? '';
    assert.ok(truncated.length > 0 && truncated.length < 16, `only a truncated form is listed, got '${truncated}'`);
    const id = created.id ?? '';

    const fetched = await ai.webhooks.get(id);
    assert.equal(fetched.new_signing_secret, undefined, 'the secret is shown once, on create');
    assert.equal(fetched.uri, `${receiver.url}/lifecycle`);
    const listed = await ai.webhooks.list({ page_size: 100 });
    assert.ok(listed.webhooks?.some((webhook) => webhook.id === id));
    assert.ok(!(await aiB.webhooks.list()).webhooks?.some((webhook) => webhook.id === id), "another tenant does not list it");
    await assert.rejects(aiB.webhooks.get(id), "another tenant's webhook is not found");

    const updated = await ai.webhooks.update(id, { name: 'renamed', subscribed_events: ['batch.succeeded', 'batch.cancelled'], update_mask: 'name,subscribed_events' });
    assert.equal(updated.name, 'renamed');
    assert.deepEqual(updated.subscribed_events, ['batch.succeeded', 'batch.cancelled']);
    assert.equal(updated.uri, `${receiver.url}/lifecycle`, 'fields outside the mask keep their value');

    await ai.webhooks.ping(id);
    const ping = await receiver.waitFor((delivery) => delivery.path === '/lifecycle' && delivery.json.type === 'webhook.ping');
    assert.ok(verifies(secret, ping), 'the ping is signed with the webhook secret');
    assert.equal(ping.json.version, 'v1');
    assert.ok(!Number.isNaN(Date.parse(ping.json.timestamp ?? '')));

    // After a rotation with a grace period, both secrets sign every delivery.
    const second = (await ai.webhooks.rotateSigningSecret(id, { revocation_behavior: 'revoke_previous_secrets_after_h24' })).secret ?? '';
    assert.match(second, /^whsec_/);
    assert.notEqual(second, secret);
    const graced = await ai.webhooks.get(id);
    assert.equal(graced.signing_secrets?.length, 2);
    assert.ok(graced.signing_secrets?.some((entry) => entry.expire_time !== undefined), 'the previous secret shows when it expires');
    const pings = receiver.received.length;
    await ai.webhooks.ping(id);
    const gracedPing = await receiver.waitFor((delivery) => receiver.received.indexOf(delivery) >= pings && delivery.json.type === 'webhook.ping');
    assert.equal(String(gracedPing.headers['webhook-signature']).split(' ').length, 2);
    assert.ok(verifies(secret, gracedPing) && verifies(second, gracedPing), 'old and new secrets both verify during the grace period');

    // Revoked at once: only the newest secret signs.
    const third = (await ai.webhooks.rotateSigningSecret(id, { revocation_behavior: 'revoke_previous_secrets_immediately' })).secret ?? '';
    assert.equal((await ai.webhooks.get(id)).signing_secrets?.length, 1);
    const before = receiver.received.length;
    await ai.webhooks.ping(id);
    const revokedPing = await receiver.waitFor((delivery) => receiver.received.indexOf(delivery) >= before && delivery.json.type === 'webhook.ping');
    assert.ok(verifies(third, revokedPing));
    assert.ok(!verifies(second, revokedPing) && !verifies(secret, revokedPing), 'revoked secrets no longer verify');

    await ai.webhooks.delete(id);
    await assert.rejects(ai.webhooks.get(id), (error: unknown) => {
      assert.match(String((error as Error).message), /404|not found/i);
      return true;
    });
    assert.ok(!(await ai.webhooks.list({ page_size: 100 })).webhooks?.some((webhook) => webhook.id === id));
  });

  test('batch events reach subscribed webhooks of their own tenant only, signed', async () => {
    const everything = await ai.webhooks.create({ name: 'all', uri: `${receiver.url}/a-all`, subscribed_events: ALL_BATCH_EVENTS });
    const cancelsOnly = await ai.webhooks.create({ name: 'cancels', uri: `${receiver.url}/a-cancels`, subscribed_events: ['batch.cancelled'] });
    const otherTenant = await aiB.webhooks.create({ name: 'b', uri: `${receiver.url}/b-all`, subscribed_events: ALL_BATCH_EVENTS });
    try {
      const succeeded = await ai.batches.create({ model: MODEL, src: await upload('ok.jsonl', 3) });
      const name = succeeded.name ?? '';
      const event = await receiver.waitFor(forBatch(name, 'batch.succeeded', '/a-all'));
      assert.ok(verifies(everything.new_signing_secret ?? '', event));
      assert.equal(event.json.data?.output_file_uri, `files/batch-${batchIdOf(name)}`);
      // The event is sent after the batch is terminal, with its results: reading it now shows them.
      const job = await ai.batches.get({ name });
      assert.equal(job.state, 'JOB_STATE_SUCCEEDED');
      assert.equal(job.dest?.fileName, event.json.data?.output_file_uri);

      const slow = await ai.batches.create({ model: MODEL, src: await upload('slow.jsonl', 200) });
      await ai.batches.cancel({ name: slow.name ?? '' });
      const toAll = await receiver.waitFor(forBatch(slow.name ?? '', 'batch.cancelled', '/a-all'));
      const toCancels = await receiver.waitFor(forBatch(slow.name ?? '', 'batch.cancelled', '/a-cancels'));
      assert.ok(verifies(cancelsOnly.new_signing_secret ?? '', toCancels));
      assert.notEqual(toAll.headers['webhook-id'], toCancels.headers['webhook-id'], 'one delivery per webhook');

      // Expiry: a completion window (a batchmode extension) far shorter than the work.
      const response = await fetch(`${server.url}/v1beta/models/${MODEL}:batchGenerateContent`, {
        method: 'POST', headers: { 'x-goog-api-key': KEY_A, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: { completionWindow: '1s', inputConfig: { fileName: await upload('expiring.jsonl', 400) } } }),
      });
      const expiring = (await response.json()) as { name: string };
      await receiver.waitFor(forBatch(expiring.name, 'batch.expired', '/a-all'), 30_000);

      await waitDone(expiring.name);
      const ours = [name, slow.name, expiring.name];
      assert.ok(!receiver.received.some((delivery) => delivery.path === '/a-cancels' && delivery.json.type !== 'batch.cancelled'), 'only subscribed events are sent');
      assert.ok(!receiver.received.some((delivery) => delivery.path === '/b-all' && ours.includes(String(delivery.json.data?.id))), "a tenant's events never reach another tenant's webhooks");
      // At least once, and in practice once: no delivery was sent twice by two processes.
      const ids = receiver.received.filter((delivery) => ours.includes(String(delivery.json.data?.id))).map((delivery) => delivery.headers['webhook-id']);
      assert.equal(new Set(ids).size, ids.length);
    } finally {
      for (const webhook of [everything, cancelsOnly]) await ai.webhooks.delete(webhook.id ?? '');
      await aiB.webhooks.delete(otherTenant.id ?? '');
    }
  });

  test('a batch with webhookConfig notifies its own URIs instead, with a JWT verified against the JWKS', async () => {
    const statics = await ai.webhooks.create({ uri: `${receiver.url}/static`, subscribed_events: ['batch.succeeded'] });
    try {
      const uri = `${receiver.url}/dynamic/job-7`;
      const created = await ai.batches.create({
        model: MODEL, src: await upload('dynamic.jsonl', 2),
        config: { webhookConfig: { uris: [uri], userMetadata: { job_id: 'job-7', attempt: 1 } } },
      });
      const name = created.name ?? '';
      const delivery = await receiver.waitFor(forBatch(name, 'batch.succeeded', '/dynamic/job-7'));
      assert.deepEqual(delivery.json.user_metadata, { job_id: 'job-7', attempt: 1 });
      const keys = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(String(delivery.headers['webhook-signature']), keys, { audience: uri });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.ok(protectedHeader.kid);
      assert.equal(payload.type, 'batch.succeeded');
      assert.deepEqual(payload.data, delivery.json.data);
      assert.deepEqual(payload.user_metadata, { job_id: 'job-7', attempt: 1 });
      assert.ok(payload.exp !== undefined && payload.exp - Math.floor(Date.now() / 1000) <= 600, 'a short expiry');
      assert.equal(delivery.headers['webhook-id'] !== undefined && delivery.headers['webhook-timestamp'] !== undefined, true);
      // A JWT for another receiver does not verify here.
      await assert.rejects(jwtVerify(String(delivery.headers['webhook-signature']), keys, { audience: `${receiver.url}/elsewhere` }));

      await waitDone(name);
      assert.ok(!receiver.received.some((entry) => entry.path === '/static' && entry.json.data?.id === name), 'the batch URIs replace the static webhooks');
    } finally {
      await ai.webhooks.delete(statics.id ?? '');
    }
  });

  test('a failing receiver is retried within seconds under the same webhook-id', async () => {
    const hook = await ai.webhooks.create({ uri: `${receiver.url}/flaky`, subscribed_events: ['batch.succeeded'] });
    receiver.answer = (delivery, attempt) => (delivery.path === '/flaky' && attempt <= 2 ? 503 : 200);
    try {
      const created = await ai.batches.create({ model: MODEL, src: await upload('flaky.jsonl', 1) });
      await pollUntil(async () => receiver.received.filter(forBatch(created.name ?? '', 'batch.succeeded', '/flaky')), (tries) => tries.length >= 3, 30_000);
      const tries = receiver.received.filter(forBatch(created.name ?? '', 'batch.succeeded', '/flaky'));
      assert.equal(new Set(tries.map((entry) => entry.headers['webhook-id'])).size, 1, 'one webhook-id across retries');
      assert.equal(tries.length, 3, 'no more attempts after a 2xx');
      assert.ok(tries[2]!.receivedAtMs - tries[0]!.receivedAtMs < 10_000, 'the first retries come within seconds');
      assert.ok(tries.every((entry) => verifies(hook.new_signing_secret ?? '', entry)));
      assert.equal((await ai.webhooks.get(hook.id ?? '')).state, 'enabled');
    } finally {
      receiver.answer = () => 200;
      await ai.webhooks.delete(hook.id ?? '');
    }
  });

  test('bad webhook input is a 400 naming the field; another tenant gets 404', async () => {
    const status = async (promise: Promise<unknown>): Promise<number> => {
      try {
        await promise;
        return 200;
      } catch (error) {
        return error instanceof ApiError ? error.status : Number(/"code":\s*(\d+)/.exec(String((error as Error).message))?.[1] ?? (error as { status?: number }).status ?? 0);
      }
    };
    const post = (body: unknown): Promise<Response> => fetch(`${server.url}/v1beta/webhooks`, {
      method: 'POST', headers: { 'x-goog-api-key': KEY_A, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    for (const [body, field] of [
      [{ uri: 'ftp://x', subscribed_events: ['batch.succeeded'] }, 'uri'],
      [{ uri: `${receiver.url}/x`, subscribed_events: [] }, 'subscribed_events'],
      [{ uri: `${receiver.url}/x`, subscribed_events: ['batch.exploded'] }, 'subscribed_events'],
    ] as const) {
      const response = await post(body);
      assert.equal(response.status, 400);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      const error = ((await response.json()) as { error: { status: string; message: string } }).error;
      assert.equal(error.status, 'INVALID_ARGUMENT');
      assert.match(error.message, new RegExp(field));
    }
    // camelCase is accepted too, as everywhere in the API.
    const hook = (await (await post({ uri: `${receiver.url}/x`, subscribedEvents: ['batch.failed'] })).json()) as { id: string; subscribed_events: string[] };
    assert.deepEqual(hook.subscribed_events, ['batch.failed']);
    assert.notEqual(await status(aiB.webhooks.update(hook.id ?? '', { name: 'mine', update_mask: 'name' })), 200);
    const foreign = await fetch(`${server.url}/v1beta/webhooks/${hook.id}:ping`, { method: 'POST', headers: { 'x-goog-api-key': KEY_B } });
    assert.equal(foreign.status, 404);
    const badMask = await fetch(`${server.url}/v1beta/webhooks/${hook.id}?update_mask=secret`, {
      method: 'PATCH', headers: { 'x-goog-api-key': KEY_A, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(badMask.status, 400);
    await ai.webhooks.delete(hook.id ?? '');
  });
});

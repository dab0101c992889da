/**
 * The official Python SDK's `webhook_config` (it sends `user_metadata` in snake_case): the
 * batch's receiver gets the `batch.succeeded` event with the user metadata echoed, signed with
 * a JWT that verifies against batchmode's `/.well-known/jwks.json` with the receiver's URI as
 * the audience.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { pythonWithSdks } from '../support/python-venv.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const KEY = 'python-webhooks';
const script = resolve(import.meta.dirname, '../fixtures/python/webhook_config.py');

describe('the Python google-genai SDK: webhook_config on a batch', () => {
  let server: ServerProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  after(async () => {
    await server?.stop();
    await receiver?.close();
  });

  test('the event reaches the batch URI with user_metadata, JWT-signed', { timeout: 600_000 }, async () => {
    const python = pythonWithSdks();
    receiver = await startWebhookReceiver();
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
    const uri = `${receiver.url}/python-hook`;
    const { stdout } = await promisify(execFile)(python, [script], {
      env: { ...process.env, GEMINI_API_KEY: KEY, BATCHMODE_BASE_URL: server.url, RECEIVER_URI: uri },
      timeout: 120_000,
    });
    const job = JSON.parse(stdout.trim()) as { name: string; state: string };
    assert.equal(job.state, 'JOB_STATE_SUCCEEDED');
    const delivery = await receiver.waitFor((entry) => entry.json.data?.id === job.name);
    assert.equal(delivery.path, '/python-hook');
    assert.equal(delivery.json.type, 'batch.succeeded');
    assert.deepEqual(delivery.json.user_metadata, { job_group: 'nightly', run_id: 42 });
    const { payload } = await jwtVerify(String(delivery.headers['webhook-signature']), createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), { audience: uri });
    assert.deepEqual(payload.user_metadata, { job_group: 'nightly', run_id: 42 });
    // The batch echoes its webhookConfig.
    const operation = (await (await fetch(`${server.url}/v1beta/${job.name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as { metadata: { webhookConfig?: unknown } };
    assert.deepEqual(operation.metadata.webhookConfig, { uris: [uri], userMetadata: { job_group: 'nightly', run_id: 42 } });
  });
});

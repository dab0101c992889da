/**
 * The engine's HTTP extensions, as a user calls them: Idempotency-Key on create, a per-batch
 * completion window (header or body), `:progress`, and `:results` (with `follow=true`); and a
 * graceful SIGTERM that lets in-flight requests finish, so a restart re-sends nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'ext-key';
const headers = { 'x-goog-api-key': KEY, 'content-type': 'application/json' };
const inlineBody = (count: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ batch: { inputConfig: { requests: { requests: Array.from({ length: count }, (_, i) => ({ request: { contents: [{ parts: [{ text: `q${i}` }] }] }, metadata: { i } })) } }, ...extra } });

describe('engine extensions over HTTP', () => {
  let server: ServerProcess;
  const create = (body: string, extraHeaders: Record<string, string> = {}): Promise<Response> =>
    fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, { method: 'POST', headers: { ...headers, ...extraHeaders }, body });
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}/v1beta/${path}`, { headers })).json()) as T;

  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '40', BATCHMODE_WORKER_CONCURRENCY: '4', BATCHMODE_SHARD_SIZE: '10' } });
  });
  after(() => server.stop());

  test('Idempotency-Key: the retried create answers the same batch', async () => {
    const first = (await (await create(inlineBody(2), { 'idempotency-key': 'nightly-2026-11-21' })).json()) as { name: string };
    const retried = await create(inlineBody(2), { 'idempotency-key': 'nightly-2026-11-21' });
    assert.equal(retried.status, 200);
    assert.equal(((await retried.json()) as { name: string }).name, first.name);
    const misuse = await create(inlineBody(3), { 'idempotency-key': 'nightly-2026-11-21' });
    assert.equal(misuse.status, 409);
    const refusal = ((await misuse.json()) as { error: { status: string; details?: { '@type': string; reason: string; metadata: { batch: string } }[] } }).error;
    assert.equal(refusal.status, 'ALREADY_EXISTS');
    const info = refusal.details?.find((detail) => detail['@type'].endsWith('google.rpc.ErrorInfo'));
    assert.deepEqual([info?.reason, info?.metadata.batch], ['IDEMPOTENCY_KEY_REUSED', first.name], 'the key\'s batch is named for clients that look it up');
  });

  test('a per-batch completion window expires the batch and keeps what finished', async () => {
    const created = (await (await create(inlineBody(300), { 'x-batchmode-completion-window': '0.6s' })).json()) as { name: string };
    const done = await pollUntil(() => get<{ done?: boolean; metadata: { state: string; batchStats: Record<string, string> } }>(created.name), (op) => op.done === true);
    assert.equal(done.metadata.state, 'BATCH_STATE_EXPIRED');
    assert.ok(Number(done.metadata.batchStats.successfulRequestCount ?? 0) > 0);
    const viaBody = await create(inlineBody(1, { completionWindow: 'soon' }));
    assert.equal(viaBody.status, 400);
  });

  test(':progress and :results while a batch runs', async () => {
    const created = (await (await create(inlineBody(200))).json()) as { name: string };
    const progress = await pollUntil(
      () => get<{ state: string; successfulRequestCount: string; pendingRequestCount: string; percentComplete: number; requestsPerSecond?: number }>(`${created.name}:progress`),
      (body) => Number(body.successfulRequestCount) >= 20,
    );
    assert.equal(progress.state, 'BATCH_STATE_RUNNING');
    assert.ok(Number(progress.pendingRequestCount) > 0 && progress.percentComplete > 0);
    const partial = await (await fetch(`${server.url}/v1beta/${created.name}:results`, { headers })).text();
    const count = partial.trim().split('\n').length;
    assert.ok(count >= 20 && count < 200, `${count} results so far`);
    const followed = await (await fetch(`${server.url}/v1beta/${created.name}:results?follow=true`, { headers })).text();
    assert.equal(new Set(followed.trim().split('\n').map((line) => (JSON.parse(line) as { metadata: { i: number } }).metadata.i)).size, 200);
  });
});

test('SIGTERM drains in-flight requests and releases the shards; the restart resends nothing', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-drain-'));
  const callLog = `${dataDir}.calls`;
  writeFileSync(callLog, '');
  const env = { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '300', BATCHMODE_WORKER_CONCURRENCY: '8', BATCHMODE_SHARD_SIZE: '20', BATCHMODE_SIM_CALL_LOG: callLog, BATCHMODE_SHUTDOWN_GRACE_SECONDS: '5' };
  let server = await startServerProcess({ dataDir, env });
  try {
    const created = (await (await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, { method: 'POST', headers, body: inlineBody(60) })).json()) as { name: string };
    await pollUntil(async () => readFileSync(callLog, 'utf8').split('\n').length, (lines) => lines > 12, 10_000, 20);
    const stoppedAt = Date.now();
    await server.stop();
    const stopTook = Date.now() - stoppedAt;
    assert.ok(stopTook < 5_000, `stopped in ${stopTook} ms (in-flight calls take 300 ms)`);
    server = await startServerProcess({ dataDir, env });
    const done = await pollUntil(
      async () => (await (await fetch(`${server.url}/v1beta/${created.name}`, { headers })).json()) as { done?: boolean; metadata: { state: string } },
      (op) => op.done === true, 30_000,
    );
    assert.equal(done.metadata.state, 'BATCH_STATE_SUCCEEDED');
    const calls = readFileSync(callLog, 'utf8').trim().split('\n').length;
    assert.equal(calls, 60, 'drained requests were finished, not re-sent');
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(callLog, { force: true });
  }
});

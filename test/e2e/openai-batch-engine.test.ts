/**
 * A batch created with the official `openai` SDK is the engine's like any other, seen over HTTP
 * while it runs: `:progress` counts it and shows the per-model concurrency limit it runs under
 * (never exceeded), `:results?follow=true` streams every request exactly once in OpenAI's line
 * format, and the native API raises its priority.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { chatLine, uploadJsonl, waitForBatch } from '../support/openai-jsonl.js';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'openai-engine-key';
const MODEL_LIMIT = 2;
const COUNT = 24;

interface Progress {
  state: string;
  successfulRequestCount: string;
  pendingRequestCount: string;
  modelLimits?: { concurrencyLimit: number; inFlight: number };
}

describe('an OpenAI batch on the engine', () => {
  let server: ServerProcess;
  let client: OpenAI;
  const native = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${server.url}/v1beta/${path}`, { ...init, headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' } });
    assert.equal(response.status, 200, `${path}: ${response.status}`);
    return (await response.json()) as T;
  };

  before(async () => {
    server = await startServerProcess({
      env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '60', BATCHMODE_WORKER_CONCURRENCY: '8', BATCHMODE_SHARD_SIZE: '4', BATCHMODE_MODEL_MAX_CONCURRENCY: String(MODEL_LIMIT) },
    });
    client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  after(() => server.stop());

  test('progress, model limits, live results and priority', { timeout: 60_000 }, async () => {
    const ids = Array.from({ length: COUNT }, (_, index) => `live-${index}`);
    const file = await uploadJsonl(client, 'live.jsonl', ids.map((id) => chatLine(id, `Live ${id}`)));
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    const following = fetch(`${server.url}/v1beta/${batch.id}:results?follow=true`, { headers: { 'x-goog-api-key': KEY } }).then((response) => response.text());
    const updated = await native<{ priority?: string }>(`${batch.id}:updateGenerateContentBatch?updateMask=priority`, { method: 'PATCH', body: JSON.stringify({ priority: '5' }) });
    assert.equal(updated.priority, '5');

    const seen: Progress[] = [];
    const running = await pollUntil(async () => {
      const progress = await native<Progress>(`${batch.id}:progress`);
      seen.push(progress);
      return progress;
    }, (progress) => Number(progress.successfulRequestCount) >= 4 || progress.state === 'BATCH_STATE_SUCCEEDED');
    assert.equal(running.modelLimits?.concurrencyLimit, MODEL_LIMIT);
    for (const progress of seen) assert.ok((progress.modelLimits?.inFlight ?? 0) <= MODEL_LIMIT, `in flight ${progress.modelLimits?.inFlight}`);

    const done = await waitForBatch(client, batch.id);
    assert.equal(done.status, 'completed');
    const lines = (await following).trim().split('\n').map((line) => JSON.parse(line) as { id: string; custom_id: string; response: { status_code: number } | null });
    assert.deepEqual(lines.map((line) => line.custom_id).sort(), [...ids].sort(), 'every request exactly once');
    for (const line of lines) {
      assert.match(line.id, /^batch_req_/);
      assert.equal(line.response?.status_code, 200);
    }
    const finished = await native<Progress>(`${batch.id}:progress`);
    assert.deepEqual([finished.state, finished.successfulRequestCount, finished.pendingRequestCount], ['BATCH_STATE_SUCCEEDED', String(COUNT), '0']);
  });
});

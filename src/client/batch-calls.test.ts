// The batchmode extensions the client speaks, against a real server with workers, through a
// flaky proxy: the validateOnly dry run (counts, tokens, cost; line errors as an ApiError),
// :progress, the priority update, and :results, whole or followed while the batch runs, read
// to the end through a connection cut mid-stream without a line lost or given twice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ApiError } from './api-error.js';
import { startProxiedServer, type ProxiedServer } from './testing/proxied-server.js';
import { isTerminalState } from './wire-types.js';

const work = mkdtempSync(join(tmpdir(), 'batchmode-batch-calls-'));
/** Each request takes 30 ms on one of two slots: a batch of 40 runs for about 0.6 s. */
const SLOW = 'gemini-slow';
const FAST = 'gemini-2.5-flash';
let env: ProxiedServer;
before(async () => {
  const config = join(work, 'batchmode.json');
  writeFileSync(config, JSON.stringify({ models: [
    { name: SLOW, backend: { type: 'simulated', latencyMs: 30 }, maxConcurrency: 2 },
    { name: 'gemini-*', backend: { type: 'simulated' }, pricing: { inputPerMillion: 1, outputPerMillion: 4, batchDiscount: 0.5 } },
  ] }));
  env = await startProxiedServer({ configFile: config });
});
after(async () => {
  await env.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => env.reset());

const requests = (count: number): unknown[] =>
  Array.from({ length: count }, (_, i) => ({ request: { contents: [{ parts: [{ text: `prompt number ${i}` }] }] }, metadata: { i } }));
/** The `metadata.i` of each result line, sorted. */
const indexes = (lines: string[]): number[] => lines.map((line) => (JSON.parse(line) as { metadata: { i: number } }).metadata.i).sort((a, b) => a - b);
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

async function finished(name: string): Promise<void> {
  while (!isTerminalState((await env.direct.getBatch(name)).metadata?.state)) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('validateBatch', () => {
  test('counts, estimated input tokens and cost, nothing created; bad lines reject with the line errors of the server', async () => {
    env.proxy.failNext(1, 503);
    const estimate = await env.client.validateBatch(FAST, { requests: requests(4) });
    // "prompt number 0" is 15 characters: 4 tokens each; $1 per million, half off.
    assert.deepEqual(estimate, { model: `models/${FAST}`, requestCount: 4, estimatedInputTokens: 16, estimatedInputCostUsd: 0.000008 });
    assert.equal(env.notices.length, 1);
    assert.deepEqual((await env.direct.listBatches()).items, []);
    const unpriced = await env.client.validateBatch(SLOW, { requests: requests(1) });
    assert.equal(unpriced.estimatedInputCostUsd, undefined);

    writeFileSync(join(work, 'bad.jsonl'), ['{"key":"a","request":{"contents":[{"parts":[{"text":"ok"}]}]}}', '{oops', '{"key":"a","request":{"contents":[{"parts":[{"text":"again"}]}]}}'].join('\n'));
    const file = await env.direct.uploadFile(join(work, 'bad.jsonl'));
    const refused = await env.client.validateBatch(FAST, { fileName: file.name }).then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof ApiError && refused.httpStatus === 400, String(refused));
    assert.match(refused.message, /^Error on line 2: /m);
    assert.deepEqual((await env.direct.listBatches()).items, []);
  });
});

describe('progress, update and results', () => {
  test('the priority update shows in the batch; progress tells the state and the queue', async () => {
    const { name } = await env.direct.createBatch(SLOW, { requests: requests(2) });
    env.proxy.failNext(1, 'drop');
    await env.client.updateBatch(name, 'generate', { priority: 7 });
    assert.equal((await env.direct.getBatch(name)).metadata?.priority, '7');
    await assert.rejects(env.client.updateBatch(name, 'embed', { priority: 1 }), (error: ApiError) => error.httpStatus === 400);
    await finished(name);
    const progress = await env.client.getProgress(name);
    assert.deepEqual([progress.state, progress.successfulRequestCount, progress.pendingRequestCount, progress.queuePosition, progress.percentComplete],
      ['BATCH_STATE_SUCCEEDED', '2', '0', 0, 100]);
  });

  test('results of a finished batch, through a connection cut mid-stream: every line once', async () => {
    const { name } = await env.direct.createBatch(FAST, { requests: requests(30) });
    await finished(name);
    env.proxy.failNext(1, 'drop-response', { afterBytes: 2_000, when: (request) => request.url.includes(':results') });
    const lines: string[] = [];
    for await (const line of env.client.streamResults(name)) lines.push(line);
    assert.deepEqual(indexes(lines), range(30));
    assert.equal(env.proxy.seen.log.filter((entry) => entry.url.includes(':results')).length, 2);
    assert.deepEqual(env.notices.map((notice) => notice.what), ['batches.results']);
  });

  test('follow streams the results while the batch runs, to its end, through two cuts', async () => {
    const { name } = await env.direct.createBatch(SLOW, { requests: requests(40) });
    env.proxy.failNext(1, 'drop-response', { afterBytes: 3_000, when: (request) => request.url.includes(':results') });
    env.proxy.failNext(1, 'drop-response', { afterBytes: 6_000, when: (request) => request.url.includes(':results') });
    const lines: string[] = [];
    let runningWhenFirst: boolean | undefined;
    for await (const line of env.client.streamResults(name, { follow: true })) {
      runningWhenFirst ??= !isTerminalState((await env.direct.getBatch(name)).metadata?.state);
      lines.push(line);
    }
    assert.equal(runningWhenFirst, true, 'lines came while the batch ran');
    assert.deepEqual(indexes(lines), range(40));
    assert.ok(isTerminalState((await env.direct.getBatch(name)).metadata?.state));
    assert.equal(env.notices.length, 2);
  });

  test('a follower can stop early', async () => {
    const { name } = await env.direct.createBatch(SLOW, { requests: requests(40) });
    const controller = new AbortController();
    const lines: string[] = [];
    for await (const line of env.client.streamResults(name, { follow: true, signal: controller.signal })) {
      lines.push(line);
      if (lines.length === 3) break;
    }
    assert.equal(lines.length, 3);
    await env.direct.cancelBatch(name);
  });
});

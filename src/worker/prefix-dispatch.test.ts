/**
 * Prefix-aware dispatch end to end on one shard (real in-memory SQLite, real local blob store):
 * requests whose system instructions interleave A, B, C, A, B, C… reach the backend grouped by
 * prefix with a window, and in file order without one; either way each result is stored under
 * its own request's position, a result already in the log is not sent again, a blank line is
 * not counted, and a line that no longer parses gets its error result.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test, type TestContext } from 'node:test';
import type { ModelBackend } from '../backends/backend.js';
import { createBackendRegistry } from '../backends/registry.js';
import { encodeOutputLine, keptResultLine, readShardOutput } from '../batches/shard-log.js';
import { batchInput, manualClock, readText, testSubmitter, uploadText } from '../batches/testing/batch-fixture.js';
import { shardLogKey } from '../core/blob-keys.js';
import { abortableSleep } from '../lib/abort.js';
import { silentLogger } from '../lib/logger.js';
import { Semaphore } from '../lib/semaphore.js';
import { createLocalBlobStore } from '../store/local/local-blob-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createModelLimiter } from './model-limiter.js';
import { runShard } from './run-shard.js';

const dir = mkdtempSync(join(tmpdir(), 'batchmode-prefix-dispatch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const REQUESTS = 9;
const PREFIXES = ['A', 'B', 'C'];
/** Request 7's line is replaced by bytes that do not parse, after the batch was accepted. */
const BROKEN = 7;
let runs = 0;

const line = (i: number): string =>
  JSON.stringify({
    key: `k${i}`,
    request: { systemInstruction: { parts: [{ text: `prefix ${PREFIXES[i % 3]}` }] }, contents: [{ role: 'user', parts: [{ text: `question ${i}` }] }] },
  });

/** A backend that records which request it got (by its question's number) and answers with the question. */
function answering(onCall: () => void): ModelBackend & { asked: number[] } {
  const asked: number[] = [];
  return {
    id: 'answering',
    asked,
    async generateContent(request) {
      const question = String(request.contents.at(-1)?.parts?.[0]?.text);
      asked.push(Number(question.split(' ')[1]));
      onCall();
      return { candidates: [{ content: { role: 'model', parts: [{ text: `answer to ${question}` }] }, finishReason: 'STOP' }] };
    },
  };
}

/**
 * Runs the one shard of a file batch of REQUESTS interleaved lines (a blank line among them,
 * request 0's result already in the log, request BROKEN's line broken) with `prefixWindow`, one
 * request in flight at a time; resolves the order the backend saw and the stored results.
 */
async function runWithWindow(
  t: TestContext,
  prefixWindow: number,
  { drainAtFirstCall = false } = {},
): Promise<{ end: string; asked: number[]; results: (string | undefined)[] }> {
  const clock = manualClock();
  const store = openSqliteStore(':memory:');
  t.after(() => store.close());
  const blobs = createLocalBlobStore(join(dir, `run-${++runs}`));
  const lines = Array.from({ length: REQUESTS }, (_, i) => line(i));
  lines.splice(5, 0, '   ');
  const fileId = await uploadText(store, blobs, clock, `${lines.join('\n')}\n`);
  await testSubmitter(store, blobs, clock, 100)(batchInput({ kind: 'file', fileId }));
  const claimed = await store.shards.claim('worker-a', clock.now(), clock.now() + 30_000);
  assert.ok(claimed);
  assert.equal(claimed.shard.requestCount, REQUESTS);

  // Break one line in the batch's own input copy, keeping every byte offset.
  const inputKey = claimed.batch.inputBlobKey;
  const original = line(BROKEN);
  const text = (await readText(blobs, inputKey)).replace(original, `{${'x'.repeat(original.length - 1)}`);
  await blobs.delete(inputKey);
  await blobs.append(inputKey, Readable.from([Buffer.from(text)]));
  // Request 0 already has a result (a takeover).
  await blobs.append(shardLogKey(claimed.batch.id, claimed.shard.index), Readable.from([Buffer.from(encodeOutputLine(0, true, '{"key":"k0","response":"earlier"}'))]));

  const drain = new AbortController();
  const backend = answering(() => {
    if (drainAtFirstCall) drain.abort(new Error('worker draining'));
  });
  const registry = createBackendRegistry([{ name: '*', backend, limits: { maxConcurrency: 1 } }]);
  const ended = await runShard(claimed, {
    store, blobs, registry, clock, logger: silentLogger, owner: 'worker-a', leaseMs: 30_000, progressIntervalMs: 500,
    slots: new Semaphore(1), retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 }, sleep: abortableSleep,
    limiterFor: (model) => createModelLimiter({ clock, ...model.limits }), prefixWindow,
  }, { abort: new AbortController().signal, drain: drain.signal });
  assert.equal(ended.allDone, !drainAtFirstCall);
  const output = await readShardOutput(blobs, claimed.shard, { keepBytesUpTo: Number.POSITIVE_INFINITY });
  return { end: ended.end, asked: backend.asked, results: Array.from({ length: claimed.shard.requestCount }, (_, position) => keptResultLine(output, position)?.toString()) };
}

/** Every position holds its own request's result. */
function assertResultsByPosition(results: readonly (string | undefined)[]): void {
  assert.equal(results.length, REQUESTS);
  assert.equal(results[0], '{"key":"k0","response":"earlier"}', 'the stored result is kept');
  for (let i = 1; i < REQUESTS; i++) {
    const result = JSON.parse(results[i] ?? 'null') as { key?: string; response?: { candidates: { content: { parts: { text: string }[] } }[] }; error?: { status: string } };
    if (i === BROKEN) {
      assert.deepEqual([result.key, result.error?.status], [undefined, 'INTERNAL'], 'a line that does not parse gets its error result, as in file order');
      continue;
    }
    assert.equal(result.key, `k${i}`);
    assert.equal(result.response?.candidates[0]?.content.parts[0]?.text, `answer to question ${i}`);
  }
}

test('window 0: the backend gets the requests in file order', async (t) => {
  const { end, asked, results } = await runWithWindow(t, 0);
  assert.equal(end, 'completed');
  assert.deepEqual(asked, [1, 2, 3, 4, 5, 6, 8]);
  assertResultsByPosition(results);
});

test('a window wider than the shard: one group per prefix, in order of first appearance', async (t) => {
  const { asked, results } = await runWithWindow(t, 256);
  // B first (request 0 is done), then C, then A; the broken line never reaches the backend.
  assert.deepEqual(asked, [1, 4, 2, 5, 8, 3, 6]);
  assertResultsByPosition(results);
});

test('a window of 4: grouped within each window of pending requests, windows in file order', async (t) => {
  const { asked, results } = await runWithWindow(t, 4);
  // Windows [1 2 3 4] and [5 6 7 8]: B 1 4, C 2, A 3; then C 5 8, A 6 (7 is broken).
  assert.deepEqual(asked, [1, 4, 2, 3, 5, 8, 6]);
  assertResultsByPosition(results);
});

test('a drain stops dispatch between requests of a window: the one in flight finishes, the rest wait for the next claim', async (t) => {
  for (const window of [0, 256]) {
    const { end, asked, results } = await runWithWindow(t, window, { drainAtFirstCall: true });
    assert.equal(end, 'stopped');
    assert.equal(asked.length, 1, `window ${window}: one request sent`);
    assert.equal(results.filter((result) => result !== undefined).length, 2, 'the earlier result and the one that was in flight');
  }
});

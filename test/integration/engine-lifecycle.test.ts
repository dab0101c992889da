/**
 * The batch lifecycle beyond the happy path: cancel aborting the calls in flight with finished
 * results kept, expiry at the completion window with partial results, idempotent create, priority
 * order and fair sharing, results read while running, and the progress view.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelBackend } from '../../src/backends/backend.js';
import { cancelledError } from '../../src/backends/cancelled-error.js';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import { AppError } from '../../src/core/errors.js';
import type { Clock } from '../../src/lib/clock.js';
import { instrument, startEngine, TENANT } from '../support/engine-harness.js';
import { pollUntil } from '../support/poll.js';

const prompts = (count: number, prefix = 'p'): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/**
 * A backend that answers its first `answered` calls at once and holds every later call until the
 * call's signal aborts: a held call can only end by being aborted. Keeps the held calls' signals.
 */
function answerThenHold(answered: number): ModelBackend & { held: AbortSignal[] } {
  const simulated = createSimulatedBackend({});
  let calls = 0;
  const held: AbortSignal[] = [];
  return {
    id: 'answer-then-hold',
    held,
    async generateContent(request, options) {
      calls++;
      if (calls <= answered) return simulated.generateContent(request, options);
      const { signal } = options;
      held.push(signal);
      return new Promise<never>((_, reject) => {
        if (signal.aborted) reject(cancelledError(signal));
        else signal.addEventListener('abort', () => reject(cancelledError(signal)), { once: true });
      });
    },
  };
}

test('cancel aborts the in-flight calls before it answers, starts no more, and keeps the finished results', async () => {
  const holding = answerThenHold(8);
  const backend = instrument(holding);
  const engine = await startEngine({ backend, concurrency: 8 });
  try {
    const batch = await engine.submitPrompts(prompts(100));
    await engine.waitFor(batch.id, (view) => view.succeededCount >= 8, 10_000);
    await pollUntil(async () => backend.inFlight, (inFlight) => inFlight === 8, 5_000, 5, '8 held calls in flight');
    const callsAtCancel = backend.log.length;
    assert.equal(holding.held.length, 8);
    assert.ok(holding.held.every((signal) => !signal.aborted), 'the held calls run until the cancel');

    await engine.batches.cancel(TENANT, batch.id);
    assert.ok(holding.held.every((signal) => signal.aborted), 'every in-flight call is aborted by the time cancel answers');
    assert.equal((await engine.batches.get(TENANT, batch.id)).batch.state, 'BATCH_STATE_CANCELLED');
    // A held call never ends on its own: in flight drops to 0 only through the aborts.
    await pollUntil(async () => backend.inFlight, (inFlight) => inFlight === 0, 1_000, 5, 'the aborted calls to end');
    assert.equal(backend.log.length, callsAtCancel, 'no call starts after the cancel');

    const view = await engine.waitFor(batch.id);
    assert.equal(view.batch.state, 'BATCH_STATE_CANCELLED');
    const lines = await engine.resultLines(batch.id);
    assert.equal(lines.length, 100, 'every request has a line');
    const ok = lines.filter((line) => line.response).length;
    assert.equal(ok, 8, 'the 8 answered results are kept');
    assert.equal(view.succeededCount, ok);
    assert.ok(lines.filter((line) => line.error).every((line) => line.error?.status === 'CANCELLED'));
    assert.deepEqual(lines.map((line) => line.metadata?.i), prompts(100).map((_, i) => i), 'in request order');
    await assert.rejects(engine.batches.cancel(TENANT, 'nope'), (error: unknown) => error instanceof AppError && error.status === 'NOT_FOUND');
  } finally {
    await engine.close();
  }
});

/** The system clock, moved on by hand: `skip(ms)` makes the engine see `ms` more of time at once. */
function skippingClock(): Clock & { skip(ms: number): void } {
  let skippedMs = 0;
  return { now: () => Date.now() + skippedMs, skip: (ms) => (skippedMs += ms) };
}

test('at the completion window a batch expires with its finished results and DEADLINE_EXCEEDED for the rest', async () => {
  const clock = skippingClock();
  const engine = await startEngine({ backend: createSimulatedBackend({ latencyMs: 100 }), concurrency: 2, clock });
  try {
    const batch = await engine.submitPrompts(prompts(40), { completionWindowMs: 60_000 });
    await engine.waitFor(batch.id, (view) => view.succeededCount >= 4, 10_000);
    clock.skip(60_000);
    const view = await engine.waitFor(batch.id, undefined, 10_000);
    assert.equal(view.batch.state, 'BATCH_STATE_EXPIRED');
    const lines = await engine.resultLines(batch.id);
    assert.equal(lines.length, 40);
    const ok = lines.filter((line) => line.response).length;
    assert.ok(ok > 0 && ok < 40, `${ok} finished`);
    assert.ok(lines.filter((line) => line.error).every((line) => line.error?.code === 4));
  } finally {
    await engine.close();
  }
});

test('idempotent create: a retried create returns the same batch; a different request with the key is refused', async () => {
  const engine = await startEngine({ backend: createSimulatedBackend({}) });
  try {
    const first = await engine.submitPrompts(['a', 'b'], { idempotencyKey: 'job-42' });
    const again = await engine.submitPrompts(['a', 'b'], { idempotencyKey: 'job-42' });
    assert.equal(again.id, first.id);
    const racing = await Promise.all([1, 2, 3].map(() => engine.submitPrompts(['c'], { idempotencyKey: 'job-43' })));
    assert.equal(new Set(racing.map((batch) => batch.id)).size, 1, 'concurrent retries make one batch');
    await assert.rejects(engine.submitPrompts(['different'], { idempotencyKey: 'job-42' }), (error: unknown) => error instanceof AppError && error.status === 'ALREADY_EXISTS');
    const listed = await engine.batches.list(TENANT, 100);
    assert.equal(listed.batches.length, 2);
  } finally {
    await engine.close();
  }
});

test('higher priority runs first; equal priorities share the workers', async () => {
  const engine = await startEngine({ backend: createSimulatedBackend({ latencyMs: 10 }), concurrency: 2, startWorkers: false, shardSize: 10 });
  try {
    const low = await engine.submitPrompts(prompts(40, 'low'));
    const high = await engine.submitPrompts(prompts(40, 'high'), { priority: 10 });
    engine.workers.start();
    const [lowDone, highDone] = await Promise.all([engine.waitFor(low.id), engine.waitFor(high.id)]);
    assert.ok(highDone.batch.startTimeMs! < lowDone.batch.startTimeMs!, 'high started first');
    assert.ok(highDone.batch.endTimeMs! < lowDone.batch.endTimeMs!, 'high finished first');
  } finally {
    await engine.close();
  }
  const fair = await startEngine({ backend: createSimulatedBackend({ latencyMs: 10 }), concurrency: 2, startWorkers: false, shardSize: 10 });
  try {
    const a = await fair.submitPrompts(prompts(60, 'a'));
    const b = await fair.submitPrompts(prompts(60, 'b'));
    fair.workers.start();
    const first = await Promise.race([fair.waitFor(a.id), fair.waitFor(b.id)]);
    const other = await fair.batches.get(TENANT, first.batch.id === a.id ? b.id : a.id);
    assert.ok(other.succeededCount >= 30, `the other batch progressed alongside (${other.succeededCount}/60)`);
  } finally {
    await fair.close();
  }
});

test('results can be read while the batch runs, and followed to the end', async () => {
  const engine = await startEngine({ backend: createSimulatedBackend({ latencyMs: 30 }), concurrency: 4, shardSize: 20 });
  try {
    const batch = await engine.submitPrompts(prompts(120));
    await engine.waitFor(batch.id, (view) => view.succeededCount >= 20, 10_000);
    const running = await engine.batches.get(TENANT, batch.id);
    assert.equal(running.batch.state, 'BATCH_STATE_RUNNING');
    const snapshot: string[] = [];
    for await (const chunk of await engine.batches.streamResults(TENANT, batch.id, { follow: false, signal: new AbortController().signal })) snapshot.push(chunk.toString());
    const partial = snapshot.join('').trim().split('\n').map((line) => JSON.parse(line) as { metadata: { i: number }; response: unknown });
    assert.ok(partial.length >= 20 && partial.length < 120, `${partial.length} results so far`);
    assert.ok(partial.every((line) => line.response && typeof line.metadata.i === 'number'));

    const followed = new Set<number>();
    for await (const chunk of await engine.batches.streamResults(TENANT, batch.id, { follow: true, signal: new AbortController().signal })) {
      for (const line of chunk.toString().trim().split('\n')) followed.add((JSON.parse(line) as { metadata: { i: number } }).metadata.i);
    }
    assert.equal(followed.size, 120, 'following ends when the batch does, with every result');
  } finally {
    await engine.close();
  }
});

test('the progress view: counts, throughput, ETA, and why a batch waits', async () => {
  const clock = skippingClock();
  const engine = await startEngine({ backend: createSimulatedBackend({ latencyMs: 50 }), concurrency: 2, shardSize: 10, clock });
  try {
    const first = await engine.submitPrompts(prompts(60));
    const second = await engine.submitPrompts(prompts(10, 'q'));
    await engine.waitFor(first.id, (view) => view.succeededCount >= 4, 10_000);
    const waiting = await engine.batches.progress(TENANT, second.id);
    assert.equal(waiting.pendingReason, 'QUEUED');
    assert.ok(waiting.queuePosition >= 1);
    // A first look, more results, then 1.1 s later by the clock: the rate over the recent window.
    const looked = await engine.batches.progress(TENANT, first.id);
    await engine.waitFor(first.id, (view) => view.succeededCount > looked.succeededCount, 10_000);
    clock.skip(1_100);
    const moving = await engine.batches.progress(TENANT, first.id);
    assert.equal(moving.batch.state, 'BATCH_STATE_RUNNING');
    assert.ok(moving.succeededCount > 0 && moving.pendingCount > 0);
    assert.ok((moving.throughputPerSecond ?? 0) > 0);
    assert.ok((moving.etaSeconds ?? 0) > 0);
    assert.equal(moving.model?.limiter?.concurrencyLimit, 2);
    await engine.waitFor(second.id);
    const done = await engine.batches.progress(TENANT, second.id);
    assert.deepEqual([done.pendingCount, done.percentComplete, done.etaSeconds, done.pendingReason], [0, 100, 0, undefined]);
  } finally {
    await engine.close();
  }
});

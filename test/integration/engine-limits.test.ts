/**
 * Per-model limits: concurrency never above the limit, request rate within requests-per-minute,
 * and adaptive concurrency that halves on 429/503 and recovers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import { instrument, startEngine } from '../support/engine-harness.js';

test('max concurrency is respected', async () => {
  const backend = instrument(createSimulatedBackend({ latencyMs: 25 }));
  const engine = await startEngine({ backend, concurrency: 32, limits: { maxConcurrency: 3 } });
  try {
    const batch = await engine.submitPrompts(Array.from({ length: 60 }, (_, i) => `p${i}`));
    await engine.waitFor(batch.id);
    assert.equal(backend.peakInFlight, 3);
    assert.equal(backend.log.length, 60);
  } finally {
    await engine.close();
  }
});

test('requests per minute are respected', async () => {
  const backend = instrument(createSimulatedBackend({}));
  const engine = await startEngine({ backend, limits: { maxConcurrency: 16, requestsPerMinute: 1200 } });
  try {
    const batch = await engine.submitPrompts(Array.from({ length: 70 }, (_, i) => `p${i}`));
    await engine.waitFor(batch.id);
    const starts = backend.log.map((call) => call.atMs).sort((a, b) => a - b);
    // 20 a second with a one-second burst: after the first 20, the next 50 need ≥ 2.5 s.
    const span = starts.at(-1)! - starts[0]!;
    assert.ok(span >= 2_300, `70 calls took ${span} ms`);
    let busiest = 0;
    for (let i = 0; i < starts.length; i++) {
      const inWindow = starts.filter((at) => at >= starts[i]! && at < starts[i]! + 1_000).length;
      busiest = Math.max(busiest, inWindow);
    }
    assert.ok(busiest <= 41, `at most burst + rate in any second (saw ${busiest})`);
  } finally {
    await engine.close();
  }
});

test('429s halve the concurrency limit, successes bring it back', async () => {
  const backend = instrument(createSimulatedBackend({ latencyMs: 5, faults: [{ match: 'hot', error: 'RESOURCE_EXHAUSTED', httpStatus: 429, attempts: 1 }] }));
  const engine = await startEngine({ backend, limits: { maxConcurrency: 16 }, retry: { initialBackoffMs: 5, maxBackoffMs: 10 } });
  try {
    const hot = await engine.submitPrompts(Array.from({ length: 40 }, (_, i) => `hot ${i}`));
    await engine.waitFor(hot.id);
    const throttled = engine.workers.status.model('gemini-2.5-flash')?.limiter;
    assert.ok((throttled?.throttledCount ?? 0) > 0);
    assert.ok((throttled?.concurrencyLimit ?? 16) < 16, `limit after 429s: ${throttled?.concurrencyLimit}`);
    const cool = await engine.submitPrompts(Array.from({ length: 600 }, (_, i) => `cool ${i}`));
    await engine.waitFor(cool.id);
    assert.equal(engine.workers.status.model('gemini-2.5-flash')?.limiter?.concurrencyLimit, 16, 'recovered');
  } finally {
    await engine.close();
  }
});

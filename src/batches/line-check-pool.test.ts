// The line-check pool: a chunk's buffer travels to a thread and back, and idle threads stop
// (their memory is given back) and start again on the next check. How checking answers is
// tested in plan-input-file.test.ts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { createLineCheckPool, spawnLineCheckWorker } from './line-check-pool.js';

const LINES = '{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}]}}\n{"key":"b","request":{"contents":[{"parts":[{"text":"y"}]}]}}\n';

test('the chunk is moved to the thread and moved back whole with its facts; only `length` bytes are checked', async () => {
  const pool = createLineCheckPool({ size: 1 });
  try {
    const encoded = new TextEncoder().encode(LINES);
    const chunk = new Uint8Array(encoded.length + 100);
    chunk.set(encoded);
    chunk.fill(0x7b, encoded.length); // bytes past `length` that would not parse
    const { facts, bytes } = await pool.check('generate', chunk, encoded.length);
    assert.equal(chunk.byteLength, 0, 'moved away while checked');
    assert.equal(facts.count, 2);
    assert.equal(facts.errors.length, 0);
    assert.equal(bytes.byteLength, encoded.length + 100);
    assert.equal(Buffer.from(bytes.subarray(0, encoded.length)).toString(), LINES);
  } finally {
    await pool.close();
  }
});

test('a chunk that is part of a larger buffer is copied, and the buffer stays usable', async () => {
  const pool = createLineCheckPool({ size: 1 });
  try {
    const whole = Buffer.from(`xx${LINES}`);
    const { facts } = await pool.check('generate', whole.subarray(2));
    assert.equal(facts.count, 2);
    assert.equal(whole.toString(), `xx${LINES}`);
  } finally {
    await pool.close();
  }
});

test('a thread idle for idleMs stops, and the next check starts another', { timeout: 30_000 }, async () => {
  const workers: Worker[] = [];
  const pool = createLineCheckPool({ size: 1, idleMs: 20, spawn: () => {
    const worker = spawnLineCheckWorker();
    workers.push(worker);
    return worker;
  } });
  try {
    const first = pool.check('generate', new TextEncoder().encode(LINES));
    const second = pool.check('generate', new TextEncoder().encode(LINES));
    assert.equal((await first).facts.count, 2);
    assert.equal((await second).facts.count, 2);
    assert.equal(workers.length, 1, 'checks in flight share the thread');
    const awake = setInterval(() => undefined, 1000); // the idle thread and its timer are unref'd
    await once(workers[0] as Worker, 'exit').finally(() => clearInterval(awake));
    assert.equal((await pool.check('generate', new TextEncoder().encode(LINES))).facts.count, 2);
    assert.equal(workers.length, 2);
  } finally {
    await pool.close();
  }
});

/**
 * The main thread's side of worker threads, with scripted threads (real worker threads running a
 * few lines that speak the same messages as worker-thread.ts): start, events replayed, wake and
 * abort passed on, a thread that dies given back its shards and started again, drain on close.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createEventFanOut, type EngineEvents } from '../core/engine-events.js';
import { createLogger } from '../lib/logger.js';
import { Writable } from 'node:stream';
import { createWorkerThreads, type WorkerThreadData } from './worker-threads.js';

/**
 * A scripted thread: answers `ready` as `id`, reports each `wake` and `abort` it gets as a
 * shardClaimed event, answers `stop` with an event and `stopped`, then ends. With `crashAfterMs` it
 * throws that long after it is ready; with `failAtStart` it throws before.
 */
function scripted(id: string, options: { crashAfterMs?: number; failAtStart?: boolean } = {}): Worker {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { id, crashAfterMs, failAtStart } = workerData;
    if (failAtStart) throw new Error('cannot open the store');
    const event = (batchId) => parentPort.postMessage({ type: 'events', events: [['shardClaimed', { batchId, model: id, shardIndex: 0, takeover: false }]] });
    parentPort.on('message', (message) => {
      if (message.type === 'wake') event('wake');
      if (message.type === 'abort') event('abort ' + message.batchId);
      if (message.type === 'stop') {
        event('stop ' + message.graceMs);
        parentPort.postMessage({ type: 'stopped' });
        parentPort.close();
      }
    });
    parentPort.postMessage({ type: 'ready', workerId: id });
    if (crashAfterMs !== undefined) setTimeout(() => { throw new Error('thread crashed'); }, crashAfterMs);
  `;
  return new Worker(code, { eval: true, workerData: { id, ...options } });
}

function watch(): { events: EngineEvents; seen: string[] } {
  const seen: string[] = [];
  return { seen, events: createEventFanOut([{ shardClaimed: (event) => seen.push(`${event.model}: ${event.batchId}`) }]) };
}

const quietLogger = (lines: string[]) => createLogger({
  level: 'debug', stream: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }),
});
const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

test('threads start, are told of new and stopped batches, send their events, and drain on close', async () => {
  const { events, seen } = watch();
  const started: WorkerThreadData<string>[] = [];
  const threads = createWorkerThreads({
    config: 'the config', count: 2, events, logger: quietLogger([]), store: { shards: { releaseAll: () => Promise.resolve(0) } } as never,
    spawn: (data) => {
      started.push(data);
      return scripted(`thread-${data.index}`);
    },
  });
  await threads.start();
  assert.equal(threads.size, 2);
  assert.deepEqual(started, [{ config: 'the config', index: 1 }, { config: 'the config', index: 2 }]);
  assert.deepEqual(threads.workerIds(), ['thread-1', 'thread-2'], 'the ids the threads answered ready with');
  threads.wake();
  threads.abortBatch('b1');
  await until(() => seen.length === 4);
  await threads.close(1234);
  assert.deepEqual(seen.sort(), [
    'thread-1: abort b1', 'thread-1: stop 1234', 'thread-1: wake',
    'thread-2: abort b1', 'thread-2: stop 1234', 'thread-2: wake',
  ], 'events sent before `stopped` arrive before close resolves');
});

test('a thread that dies has its shards given back and is started again after a back-off', async () => {
  const { events, seen } = watch();
  const released: string[] = [];
  const logLines: string[] = [];
  let launches = 0;
  const threads = createWorkerThreads({
    config: {}, count: 1, events, logger: quietLogger(logLines),
    store: { shards: { releaseAll: (owner: string) => (released.push(owner), Promise.resolve(3)) } } as never,
    spawn: () => {
      launches++;
      return launches === 1 ? scripted('first', { crashAfterMs: 20 }) : scripted('second');
    },
  });
  await threads.start();
  await until(() => released.length === 1);
  assert.deepEqual(released, ['first'], "the dead thread's worker id");
  const diedAt = Date.now();
  await until(() => launches === 2);
  assert.ok(Date.now() - diedAt >= 900, 'started again after the first back-off step (1 s)');
  threads.wake();
  await until(() => seen.includes('second: wake'));
  await threads.close(0);
  assert.ok(logLines.some((line) => line.includes('worker thread exited; starting it again')), logLines.join(''));
});

test('a thread that fails before it is ready fails start with its error', async () => {
  const threads = createWorkerThreads({
    config: {}, count: 1, events: createEventFanOut([]), logger: quietLogger([]), store: { shards: { releaseAll: () => Promise.resolve(0) } } as never,
    spawn: () => scripted('broken', { failAtStart: true }),
  });
  await assert.rejects(threads.start(), /cannot open the store/);
  await threads.close(0);
});

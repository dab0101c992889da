/**
 * The entry of a line-check thread (line-check-pool.ts): checks each chunk it is sent with
 * `checkChunk` (line-facts.ts) and answers its facts, moving their buffers and the chunk's own
 * buffer back rather than copying them. A chunk whose check throws is answered as an error; the
 * thread lives on.
 */
import { parentPort } from 'node:worker_threads';
import { checkChunk, transferablesOf } from './line-facts.js';
import type { LineCheckAnswer, LineCheckTask } from './line-check-pool.js';

const port = parentPort;
if (!port) throw new Error('line-check-worker runs as a worker thread only');

port.on('message', (task: LineCheckTask) => {
  const { id, chunk } = task;
  const buffer = chunk.buffer as ArrayBuffer;
  let answer: LineCheckAnswer;
  try {
    answer = { id, chunk, facts: checkChunk(task.kind, chunk.subarray(0, task.length)) };
  } catch (error) {
    port.postMessage({ id, chunk, error: error instanceof Error ? error.message : String(error) } satisfies LineCheckAnswer, [buffer]);
    return;
  }
  port.postMessage(answer, [...transferablesOf(answer.facts), buffer]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hold } from '../../test/support/hold.js';
import { Semaphore } from './semaphore.js';

test('never more than the limit at once, FIFO, limit changes apply', async () => {
  const semaphore = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 10 }, async (_, index) => {
    await semaphore.acquire();
    running++;
    peak = Math.max(peak, running);
    order.push(index);
    // On purpose: hold the permit across timer turns, so the other tasks queue behind it.
    await hold(2, 'work that holds the permit while the others queue');
    running--;
    semaphore.release();
  }));
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  semaphore.setLimit(1);
  assert.equal(semaphore.tryAcquire(), true);
  assert.equal(semaphore.tryAcquire(), false);
});

test('an aborted waiter leaves the queue and rejects', async () => {
  const semaphore = new Semaphore(1);
  await semaphore.acquire();
  const controller = new AbortController();
  const waiting = semaphore.acquire(controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(waiting, /stop/);
  assert.equal(semaphore.waiting, 0);
  semaphore.release();
  assert.equal(semaphore.inUse, 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLinkedQueue } from './linked-queue.js';

test('FIFO order, with removal from the head, middle and tail', () => {
  const queue = createLinkedQueue<number>();
  const entries = [1, 2, 3, 4, 5].map((value) => queue.push(value));
  assert.equal(queue.size, 5);
  assert.equal(queue.remove(entries[2]!), true, 'middle');
  assert.equal(queue.remove(entries[0]!), true, 'head');
  assert.equal(queue.remove(entries[4]!), true, 'tail');
  assert.equal(queue.size, 2);
  assert.equal(queue.peek(), 2);
  queue.push(6);
  const drained: number[] = [];
  for (let value = queue.shift(); value !== undefined; value = queue.shift()) drained.push(value);
  assert.deepEqual(drained, [2, 4, 6]);
  assert.equal(queue.size, 0);
  assert.equal(queue.peek(), undefined);
});

test('removing an entry twice, or one already shifted, is a no-op', () => {
  const queue = createLinkedQueue<string>();
  const first = queue.push('a');
  const second = queue.push('b');
  assert.equal(queue.shift(), 'a');
  assert.equal(queue.remove(first), false);
  assert.equal(queue.remove(second), true);
  assert.equal(queue.remove(second), false);
  assert.equal(queue.size, 0);
  queue.push('c');
  assert.equal(queue.peek(), 'c', 'the list is still linked correctly after emptying');
});

test('removing half of 100 000 entries is fast (O(1) each)', () => {
  const queue = createLinkedQueue<number>();
  const entries = Array.from({ length: 100_000 }, (_, index) => queue.push(index));
  const startedAt = performance.now();
  for (let index = 0; index < entries.length; index += 2) queue.remove(entries[index]!);
  assert.ok(performance.now() - startedAt < 500);
  assert.equal(queue.size, 50_000);
  assert.equal(queue.shift(), 1);
});

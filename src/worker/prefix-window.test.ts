import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrefixWindow, groupByKey } from './prefix-window.js';

test('groups by key in order of first appearance, file order within a group', () => {
  const items = ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2'];
  const keys = items.map((item) => item[0]);
  assert.deepEqual(groupByKey(items, keys), ['a0', 'a1', 'a2', 'b0', 'b1', 'c0', 'c1']);
});

test('an item without a key is a group of its own and keeps its place among the groups', () => {
  const items = ['x0', 'a0', 'x1', 'b0', 'a1', 'x2', 'b1'];
  const keys = items.map((item) => (item[0] === 'x' ? undefined : item[0]));
  assert.deepEqual(groupByKey(items, keys), ['x0', 'a0', 'a1', 'x1', 'b0', 'b1', 'x2']);
  const none = ['x0', 'x1', 'x2'];
  assert.deepEqual(groupByKey(none, [undefined, undefined, undefined]), none);
});

test('the window is full at its request limit, then empty again', () => {
  const window = createPrefixWindow<number>({ requests: 4, bytes: 1_000 });
  assert.equal(window.add(0, 'a', 10), false);
  assert.equal(window.add(1, 'b', 10), false);
  assert.equal(window.add(2, 'a', 10), false);
  assert.equal(window.add(3, 'b', 10), true);
  assert.equal(window.size, 4);
  assert.deepEqual(window.take(), [0, 2, 1, 3]);
  assert.equal(window.size, 0);
  assert.deepEqual(window.take(), []);
  // The next window starts from nothing: no group carries over.
  assert.equal(window.add(4, 'b', 10), false);
  assert.equal(window.add(5, 'a', 10), false);
  assert.equal(window.add(6, 'b', 10), false);
  assert.deepEqual(window.take(), [4, 6, 5]);
});

test('the window is full once its lines reach the byte limit, whatever the count', () => {
  const window = createPrefixWindow<number>({ requests: 100, bytes: 250 });
  assert.equal(window.add(0, 'a', 100), false);
  assert.equal(window.add(1, 'b', 100), false);
  assert.equal(window.add(2, 'a', 100), true, '300 bytes ≥ 250');
  assert.deepEqual(window.take(), [0, 2, 1]);
  assert.equal(window.add(3, undefined, 1_000), true, 'one line over the limit is a window of its own');
  assert.deepEqual(window.take(), [3]);
});

test('a window without keys comes out in file order', () => {
  const window = createPrefixWindow<number>({ requests: 3, bytes: 1_000 });
  window.add(0, undefined, 1);
  window.add(1, undefined, 1);
  assert.deepEqual(window.take(), [0, 1]);
});

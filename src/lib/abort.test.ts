// Tests of lib/abort.ts: one listener per signal however many callbacks, nothing left once
// disposed, and a sleep that rejects on abort and removes its registration either way.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { abortableSleep, onAbort } from './abort.js';

test('many callbacks on one signal share one listener, run once each on abort', () => {
  const controller = new AbortController();
  const ran: number[] = [];
  for (let i = 0; i < 50; i++) onAbort(controller.signal, () => ran.push(i));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort();
  controller.abort();
  assert.deepEqual(ran, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('disposing every callback removes the listener; dispose is idempotent', () => {
  const controller = new AbortController();
  const ran: string[] = [];
  const first = onAbort(controller.signal, () => ran.push('first'));
  const second = onAbort(controller.signal, () => ran.push('second'));
  first();
  first();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  second();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  const third = onAbort(controller.signal, () => ran.push('third'));
  controller.abort();
  third();
  assert.deepEqual(ran, ['third']);
});

test('a callback may dispose another during the abort; that one does not run', () => {
  const controller = new AbortController();
  const ran: string[] = [];
  let disposeLater = (): void => {};
  onAbort(controller.signal, () => {
    ran.push('first');
    disposeLater();
  });
  disposeLater = onAbort(controller.signal, () => ran.push('second'));
  controller.abort();
  assert.deepEqual(ran, ['first']);
});

test('on an aborted signal the callback never runs', () => {
  const controller = new AbortController();
  controller.abort();
  let ran = false;
  onAbort(controller.signal, () => (ran = true))();
  assert.equal(ran, false);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('abortableSleep resolves and leaves no listener behind', async () => {
  const controller = new AbortController();
  await Promise.all([abortableSleep(1, controller.signal), abortableSleep(1, controller.signal)]);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('abortableSleep rejects with the reason, or with toError, as soon as the signal aborts', async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  const plain = abortableSleep(60_000, controller.signal);
  const mapped = abortableSleep(60_000, controller.signal, (signal) => new Error(`mapped ${String((signal.reason as Error).message)}`));
  controller.abort(reason);
  await assert.rejects(plain, (error) => error === reason);
  await assert.rejects(mapped, /mapped stop/);
  await assert.rejects(abortableSleep(1, controller.signal), (error) => error === reason);
});

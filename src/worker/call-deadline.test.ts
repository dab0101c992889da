/** Call deadlines: shared per slot, at least the full timeout, and a cancel is not a deadline. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCallDeadlines } from './call-deadline.js';

test('calls started in the same slot share one deadline; a later slot gets its own', () => {
  let now = 1_000;
  const start = createCallDeadlines(() => now);
  const caller = new AbortController();
  const first = start(caller.signal, 1_600); // slots of 100 ms
  assert.equal(start(caller.signal, 1_600), first);
  assert.notEqual(start(caller.signal, 3_200), first, 'another timeout, another deadline');
  now += 100;
  const next = start(caller.signal, 1_600);
  assert.notEqual(next, first);
  assert.notEqual(start(new AbortController().signal, 1_600), next, 'another caller, another deadline');
  caller.abort();
});

test('the deadline passes after the timeout (not before), and says so', async () => {
  const start = createCallDeadlines();
  const caller = new AbortController();
  const began = performance.now();
  const deadline = start(caller.signal, 40);
  assert.equal(deadline.expired, false);
  // The deadline's timer is unref'd (it never keeps a process alive): hold the loop open as a call's socket would.
  const socket = setTimeout(() => undefined, 5_000);
  await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
  clearTimeout(socket);
  const waited = performance.now() - began;
  assert.ok(waited >= 39, `aborted after ${waited} ms`);
  assert.ok(waited < 1_000, `aborted after ${waited} ms`);
  assert.equal(deadline.expired, true);
  assert.equal(caller.signal.aborted, false);
  assert.notEqual(start(caller.signal, 40), deadline, 'an expired deadline is never handed out again');
  caller.abort();
});

test("the caller's abort aborts the deadline's signal with the caller's reason, and is not a deadline", (context) => {
  // Mocked timers: the deadline's timer fires only when the test moves time past it.
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const start = createCallDeadlines();
  const caller = new AbortController();
  const deadline = start(caller.signal, 50);
  const reason = new Error('cancelled by the user');
  caller.abort(reason);
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.signal.reason, reason);
  context.mock.timers.tick(80);
  assert.equal(deadline.expired, false, 'the timer was cleared with the cancel');
  const late = start(caller.signal, 50);
  assert.equal(late.signal.aborted, true, 'an aborted caller gets an aborted signal');
  assert.equal(late.expired, false);
});

// The in-memory upload state: a hash is handed out once and only for the size it covers, the
// number held is bounded (least recently held goes first), the sweep drops idle ones, and one
// request at a time runs per upload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import { manualClock } from '../batches/testing/batch-fixture.js';
import { createUploadState } from './upload-state.js';

test('a held hash is taken once, and only for the byte count it covers', () => {
  const state = createUploadState(manualClock());
  const hash = createHash('sha256');
  state.hold('u1', hash, 5);
  assert.equal(state.take('u1', 4), undefined, 'a hash of other bytes is no use');
  assert.equal(state.take('u1', 5), undefined, 'and it was dropped');
  state.hold('u1', hash, 5);
  assert.equal(state.take('u1', 5), hash);
  assert.equal(state.take('u1', 5), undefined, 'the caller owns it now');
  state.hold('u1', hash, 5);
  state.forget('u1');
  assert.equal(state.size, 0);
});

test('at most maxEntries hashes are held; the least recently held goes first', () => {
  const state = createUploadState(manualClock(), 2);
  state.hold('a', createHash('sha256'), 1);
  state.hold('b', createHash('sha256'), 1);
  state.hold('a', createHash('sha256'), 2);
  state.hold('c', createHash('sha256'), 1);
  assert.equal(state.size, 2);
  assert.equal(state.take('b', 1), undefined);
  assert.ok(state.take('a', 2));
  assert.ok(state.take('c', 1));
});

test('the sweep drops hashes idle since before the given time', () => {
  const clock = manualClock();
  const state = createUploadState(clock);
  state.hold('old', createHash('sha256'), 1);
  clock.advance(1_000);
  state.hold('new', createHash('sha256'), 1);
  assert.equal(state.sweep(clock.now() - 500), 1);
  assert.deepEqual([state.take('old', 1), state.size], [undefined, 1]);
});

test('one request at a time per upload; the next may run once it ended, even if it failed', async () => {
  const state = createUploadState(manualClock());
  let release = (): void => undefined;
  const first = state.exclusively('u1', () => new Promise<string>((resolve) => { release = () => resolve('first'); }));
  await assert.rejects(state.exclusively('u1', async () => 'second'), (error: unknown) => error instanceof AppError && error.status === 'ABORTED');
  assert.equal(await state.exclusively('u2', async () => 'other upload'), 'other upload');
  release();
  assert.equal(await first, 'first');
  await assert.rejects(state.exclusively('u1', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await state.exclusively('u1', async () => 'again'), 'again');
});

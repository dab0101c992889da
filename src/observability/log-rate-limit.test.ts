import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogRateLimiter } from './log-rate-limit.js';

function limiter(limit = 3, windowMs = 1_000, maxKeys?: number) {
  let nowMs = 10_000;
  const limit_ = createLogRateLimiter({ limit, windowMs, now: () => nowMs, ...(maxKeys === undefined ? {} : { maxKeys }) });
  return { limiter: limit_, advance: (ms: number) => (nowMs += ms), now: () => nowMs };
}

const admitted = (results: { admitted: boolean }[]): boolean[] => results.map((result) => result.admitted);

test('admits `limit` lines per key and window, then suppresses and counts the rest', () => {
  const { limiter: rate } = limiter(3);
  const results = Array.from({ length: 5 }, () => rate.admit('m1'));
  assert.deepEqual(admitted(results), [true, true, true, false, false]);
  assert.ok(results.every((result) => result.suppressed === 0), 'nothing to report while the window runs');
});

test('keys are limited separately: one flooding model does not silence another', () => {
  const { limiter: rate } = limiter(2);
  for (let i = 0; i < 10; i++) rate.admit('flooding');
  assert.deepEqual(admitted([rate.admit('quiet'), rate.admit('quiet')]), [true, true]);
  assert.equal(rate.admit('flooding').admitted, false);
});

test('the first line after the window hands back the count suppressed in it, once', () => {
  const { limiter: rate, advance } = limiter(2, 1_000);
  for (let i = 0; i < 7; i++) rate.admit('m1');
  advance(999);
  assert.deepEqual(rate.admit('m1'), { admitted: false, suppressed: 0 }, 'still inside the window');
  advance(1);
  assert.deepEqual(rate.admit('m1'), { admitted: true, suppressed: 6 });
  assert.deepEqual(rate.admit('m1'), { admitted: true, suppressed: 0 });
  assert.deepEqual(rate.admit('m1'), { admitted: false, suppressed: 0 });
});

test('drainEnded reports ended windows with suppressed lines, once, and forgets them', () => {
  const { limiter: rate, advance } = limiter(1, 1_000);
  rate.admit('a');
  rate.admit('a');
  rate.admit('a');
  advance(500);
  rate.admit('b');
  rate.admit('b');
  rate.admit('c');
  assert.deepEqual(rate.drainEnded(), [], 'no window has ended');
  assert.equal(rate.nextReportAt(), 11_000, "a's window ends first");
  advance(500);
  assert.deepEqual(rate.drainEnded(), [{ key: 'a', suppressed: 2 }]);
  assert.deepEqual(rate.drainEnded(), []);
  assert.equal(rate.nextReportAt(), 11_500, "then b's (c suppressed nothing)");
  advance(500);
  assert.deepEqual(rate.drainEnded(), [{ key: 'b', suppressed: 1 }]);
  assert.equal(rate.nextReportAt(), undefined);
  assert.deepEqual(rate.admit('a'), { admitted: true, suppressed: 0 }, 'a drained count is not reported again');
});

test('a window without suppressed lines has nothing to report', () => {
  const { limiter: rate, advance } = limiter(3);
  rate.admit('m1');
  assert.equal(rate.nextReportAt(), undefined);
  advance(5_000);
  assert.deepEqual(rate.drainEnded(), []);
  assert.deepEqual(rate.admit('m1'), { admitted: true, suppressed: 0 });
});

test('at most maxKeys windows are kept: ended ones go first, then the oldest', () => {
  const { limiter: rate, advance } = limiter(1, 1_000, 2);
  rate.admit('old');
  rate.admit('old');
  advance(2_000);
  rate.admit('x');
  rate.admit('y');
  assert.deepEqual(rate.drainEnded(), [], "'old' was dropped with its count to make room (bounded memory over completeness)");
  rate.admit('z');
  rate.admit('z');
  assert.equal(rate.admit('x').admitted, true, "the oldest window ('x') was dropped for 'z'");
});

test('a limit below 1 is refused', () => {
  assert.throws(() => createLogRateLimiter({ limit: 0, windowMs: 1, now: () => 0 }), RangeError);
});

test('drainAll reports every suppressed count, ended window or not (shutdown)', () => {
  const { limiter: rate } = limiter(1);
  rate.admit('a');
  rate.admit('a');
  rate.admit('b');
  assert.deepEqual(rate.drainAll(), [{ key: 'a', suppressed: 1 }]);
  assert.deepEqual(rate.drainAll(), []);
  assert.deepEqual(rate.admit('a'), { admitted: true, suppressed: 0 }, 'a new window');
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { BackendCallEvent } from '../core/engine-events.js';
import { createLogger, type LogLevel } from '../lib/logger.js';
import { createLifecycleLog, type LifecycleLogOptions } from './lifecycle-log.js';

interface Line {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A lifecycle log writing through a real logger into memory, on a hand-moved clock and timer. */
function setUp(options: LifecycleLogOptions = {}, level: LogLevel = 'debug') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  let nowMs = 1_000_000;
  const timers: { report: () => void; atMs: number; cancelled: boolean }[] = [];
  const log = createLifecycleLog(createLogger({ level, stream, base: { pid: 1 } }), {
    now: () => nowMs,
    schedule: (report, delayMs) => {
      const timer = { report, atMs: nowMs + delayMs, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
    ...options,
  });
  const lines = (): Line[] => chunks.join('').split('\n').filter(Boolean).map((text) => JSON.parse(text) as Line);
  /** Moves the clock, firing the timers that come due. */
  const advance = (ms: number): void => {
    nowMs += ms;
    for (const timer of timers.filter((each) => !each.cancelled && each.atMs <= nowMs)) {
      timer.cancelled = true;
      timer.report();
    }
  };
  const pendingTimers = (): number => timers.filter((timer) => !timer.cancelled).length;
  return { log, lines, advance, pendingTimers, raw: () => chunks.join('') };
}

/** A line without its time and the logger's base fields. */
const fieldsOf = ({ time, pid, ...rest }: Line): Record<string, unknown> => {
  assert.ok(!Number.isNaN(Date.parse(time)), `time is an ISO date: ${time}`);
  assert.equal(pid, 1, "the logger's base fields are kept");
  return rest;
};

const usage = { promptTokenCount: 30, candidatesTokenCount: 12, thoughtsTokenCount: 0, cachedContentTokenCount: 0, totalTokenCount: 42 };

test("one JSON line per lifecycle event of a batch, with the same field names throughout", () => {
  const { log, lines } = setUp();
  log.batchCreated?.({ tenantId: 't1', batchId: 'b1', model: 'gemini-2.5-flash', kind: 'generate', surface: 'native', requestCount: 3, priority: 0, state: 'BATCH_STATE_PENDING' });
  log.batchStarted?.({ tenantId: 't1', batchId: 'b1', model: 'gemini-2.5-flash', queuedMs: 12 });
  log.batchFinished?.({
    tenantId: 't1', batchId: 'b1', model: 'gemini-2.5-flash', state: 'BATCH_STATE_SUCCEEDED', requestCount: 3, succeeded: 2, failed: 1,
    usage, durationMs: 840, finalizeMs: 9,
  });
  assert.deepEqual(lines().map(fieldsOf), [
    {
      level: 'info', msg: 'batch created', event: 'batch.created', batch: 'b1', tenant: 't1', model: 'gemini-2.5-flash', kind: 'generate',
      surface: 'native', requestCount: 3, priority: 0, state: 'BATCH_STATE_PENDING',
    },
    { level: 'info', msg: 'batch running', event: 'batch.running', batch: 'b1', tenant: 't1', model: 'gemini-2.5-flash', queuedMs: 12 },
    {
      level: 'info', msg: 'batch finished', event: 'batch.finished', batch: 'b1', tenant: 't1', model: 'gemini-2.5-flash', state: 'BATCH_STATE_SUCCEEDED',
      requestCount: 3, succeeded: 2, failed: 1, usage, durationMs: 840, finalizeMs: 9,
    },
  ]);
});

test('stop requests: cancel and expiry at info, failure at warn with its reason; FAILED and EXPIRED endings at warn', () => {
  const { log, lines } = setUp();
  const batch = { tenantId: 't1', batchId: 'b2', model: 'm' };
  log.batchStopRequested?.({ ...batch, stopState: 'BATCH_STATE_CANCELLED' });
  log.batchStopRequested?.({ ...batch, stopState: 'BATCH_STATE_EXPIRED' });
  log.batchStopRequested?.({ ...batch, stopState: 'BATCH_STATE_FAILED', reason: 'model m is not served' });
  const finished = { ...batch, requestCount: 2, succeeded: 0, failed: 2, usage: undefined, durationMs: 5, finalizeMs: 1 };
  log.batchFinished?.({ ...finished, state: 'BATCH_STATE_EXPIRED' });
  log.batchFinished?.({ ...finished, state: 'BATCH_STATE_FAILED' });
  log.batchFinished?.({ ...finished, state: 'BATCH_STATE_CANCELLED' });
  const summary = lines().map((line) => [line.level, line.event, line.state, line.reason]);
  assert.deepEqual(summary, [
    ['info', 'batch.stopping', 'BATCH_STATE_CANCELLED', undefined],
    ['info', 'batch.stopping', 'BATCH_STATE_EXPIRED', undefined],
    ['warn', 'batch.stopping', 'BATCH_STATE_FAILED', 'model m is not served'],
    ['warn', 'batch.finished', 'BATCH_STATE_EXPIRED', undefined],
    ['warn', 'batch.finished', 'BATCH_STATE_FAILED', undefined],
    ['info', 'batch.finished', 'BATCH_STATE_CANCELLED', undefined],
  ]);
  assert.ok(!('usage' in lines()[3]!), 'no usage field when there was none');
});

const call = (overrides: Partial<BackendCallEvent> = {}): BackendCallEvent => ({
  model: 'flaky', batchId: 'b3', outcome: 'retryable', status: 'UNAVAILABLE', latencyMs: 7, attempt: 1, retryInMs: 1000, retryAfter: true,
  message: 'upstream 503', ...overrides,
});

test('backend retries at info and failures at warn, with model, rpcStatus, attempt and the retry wait; successes write nothing', () => {
  const { log, lines } = setUp();
  log.backendCall?.({ model: 'm', batchId: 'b3', outcome: 'ok', latencyMs: 3, attempt: 1 });
  log.backendCall?.(call({ latencyMs: 7.000049999999984 }));
  log.backendCall?.(call({ attempt: 5, retryInMs: undefined, retryAfter: undefined }));
  log.backendCall?.(call({ outcome: 'failed', status: 'INVALID_ARGUMENT', retryInMs: undefined, retryAfter: undefined, batchId: undefined, message: 'bad' }));
  assert.deepEqual(lines().map(fieldsOf), [
    {
      level: 'info', msg: 'backend call failed; retrying', event: 'backend.retry', model: 'flaky', batch: 'b3', rpcStatus: 'UNAVAILABLE', attempt: 1,
      latencyMs: 7, retryInMs: 1000, retryAfter: true, message: 'upstream 503',
    },
    {
      level: 'warn', msg: 'backend call failed', event: 'backend.failure', model: 'flaky', batch: 'b3', rpcStatus: 'UNAVAILABLE', attempt: 5,
      latencyMs: 7, outcome: 'retryable', message: 'upstream 503',
    },
    {
      level: 'warn', msg: 'backend call failed', event: 'backend.failure', model: 'flaky', rpcStatus: 'INVALID_ARGUMENT', attempt: 1,
      latencyMs: 7, outcome: 'failed', message: 'bad',
    },
  ]);
});

test('a failing backend cannot flood the log: N lines per model per window, then one line with the count when the window ends', () => {
  const { log, lines, advance, pendingTimers } = setUp({ backendLinesPerWindow: 3, windowMs: 10_000 });
  for (let attempt = 1; attempt <= 500; attempt++) log.backendCall?.(call({ attempt }));
  log.backendCall?.(call({ model: 'other' }));
  assert.deepEqual(lines().map((line) => [line.model, line.attempt]), [['flaky', 1], ['flaky', 2], ['flaky', 3], ['other', 1]]);
  assert.equal(pendingTimers(), 1, 'one timer for the window with suppressed lines');

  advance(9_999);
  assert.equal(lines().length, 4, 'nothing before the window ends');
  advance(1);
  const report = lines().at(-1)!;
  assert.deepEqual(fieldsOf(report), { level: 'warn', msg: 'suppressed 497 similar lines', event: 'log.suppressed', model: 'flaky', suppressed: 497, windowMs: 10_000 });
  assert.equal(pendingTimers(), 0);

  log.backendCall?.(call({ attempt: 501 }));
  assert.equal(lines().at(-1)!.attempt, 501, 'a new window admits lines again');
  assert.equal(lines().filter((line) => line.event === 'log.suppressed').length, 1, 'the count is reported once');
});

test('the count is reported before the next admitted line when that comes first, and at close', () => {
  const { log, lines, advance } = setUp({ backendLinesPerWindow: 1, windowMs: 1_000, schedule: () => ({ cancel: () => undefined }) });
  log.backendCall?.(call({ attempt: 1 }));
  log.backendCall?.(call({ attempt: 2 }));
  log.backendCall?.(call({ attempt: 3 }));
  advance(1_000);
  log.backendCall?.(call({ attempt: 4 }));
  log.backendCall?.(call({ attempt: 5 }));
  assert.deepEqual(lines().map((line) => line.event === 'log.suppressed' ? `suppressed ${String(line.suppressed)}` : `attempt ${String(line.attempt)}`), [
    'attempt 1', 'suppressed 2', 'attempt 4',
  ]);
  log.close();
  assert.deepEqual(lines().at(-1)!.msg, 'suppressed 1 similar lines', 'close reports what the running window suppressed');
});

test('shard takeovers are logged; ordinary claims, HTTP requests and upload bytes are not', () => {
  const { log, lines } = setUp();
  log.shardClaimed?.({ batchId: 'b4', model: 'm', shardIndex: 2, takeover: false });
  log.shardClaimed?.({ batchId: 'b4', model: 'm', shardIndex: 3, takeover: true });
  log.httpRequest?.({ route: '/healthz', method: 'GET', status: 200, durationMs: 1, requestId: 'r' });
  log.uploadBytes?.({ tenantId: 't1', bytes: 10 });
  assert.deepEqual(lines().map(fieldsOf), [{ level: 'info', msg: 'shard taken over: its lease had lapsed', event: 'shard.takeover', batch: 'b4', model: 'm', shard: 3 }]);
});

test('the level filter applies: at warn, only failures and suppression reports remain', () => {
  const { log, lines } = setUp({}, 'warn');
  log.batchCreated?.({ tenantId: 't', batchId: 'b', model: 'm', kind: 'embed', surface: 'openai', requestCount: 1, priority: 1, state: 'BATCH_STATE_PENDING' });
  log.backendCall?.(call());
  log.backendCall?.(call({ outcome: 'failed', retryInMs: undefined }));
  assert.deepEqual(lines().map((line) => line.event), ['backend.failure']);
});

test('the default timer does not keep the process alive; close reports what it held', () => {
  const timeouts = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk.toString()), done()) });
  const log = createLifecycleLog(createLogger({ level: 'info', stream }), { backendLinesPerWindow: 1, windowMs: 3_600_000 });
  const before = timeouts();
  log.backendCall?.(call());
  log.backendCall?.(call());
  assert.equal(timeouts(), before, 'an unref\'d timer is not an active resource');
  log.close();
  assert.match(chunks.join(''), /"event":"log.suppressed"/);
});

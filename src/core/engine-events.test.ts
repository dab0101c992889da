import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventFanOut, NO_EVENTS, type ShardClaimedEvent } from './engine-events.js';

const claim: ShardClaimedEvent = { batchId: 'b1', model: 'm', shardIndex: 0, takeover: false };

test('every listener that implements an event gets it, in order', () => {
  const seen: string[] = [];
  const events = createEventFanOut([
    { shardClaimed: (event) => seen.push(`a:${event.batchId}`) },
    {},
    { shardClaimed: (event) => seen.push(`c:${event.shardIndex}`), uploadBytes: (event) => seen.push(`c:${event.bytes}`) },
  ]);
  events.shardClaimed(claim);
  events.uploadBytes({ tenantId: 't', bytes: 7 });
  assert.deepEqual(seen, ['a:b1', 'c:0', 'c:7']);
});

test('a listener that throws is reported and does not stop the others or the emitter', () => {
  const errors: unknown[] = [];
  const seen: number[] = [];
  const events = createEventFanOut([
    { shardClaimed: () => { throw new Error('broken listener'); } },
    { shardClaimed: (event) => seen.push(event.shardIndex) },
  ], (error) => errors.push(error));
  assert.doesNotThrow(() => events.shardClaimed(claim));
  assert.deepEqual(seen, [0]);
  assert.equal((errors[0] as Error).message, 'broken listener');
});

test('NO_EVENTS accepts every event', () => {
  assert.doesNotThrow(() => NO_EVENTS.httpRequest({ route: '/x', method: 'GET', status: 200, durationMs: 1, requestId: 'r' }));
});

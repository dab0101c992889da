import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventFanOut, type EngineEvents } from '../core/engine-events.js';
import { createForwardingEvents, replayEvents, type ForwardedEvent } from './thread-events.js';

const call = (batchId: string) => ({ model: 'm', batchId, outcome: 'ok' as const, latencyMs: 1, attempt: 1 });

/** Events recorded by name, in the order they arrive. */
function recorder(): { events: EngineEvents; seen: string[] } {
  const seen: string[] = [];
  const events = createEventFanOut([{
    backendCall: (event) => seen.push(`backendCall ${event.batchId ?? ''}`),
    shardClaimed: (event) => seen.push(`shardClaimed ${event.batchId}`),
    batchFinished: (event) => seen.push(`batchFinished ${event.batchId}`),
  }]);
  return { events, seen };
}

test('events are sent in batches, in order, once maxBatch wait or flushMs after the first', async () => {
  const sent: ForwardedEvent[][] = [];
  const forwarding = createForwardingEvents((batch) => sent.push(batch), { flushMs: 30, maxBatch: 3 });
  forwarding.events.backendCall(call('a'));
  forwarding.events.shardClaimed({ batchId: 'b', model: 'm', shardIndex: 0, takeover: false });
  assert.equal(sent.length, 0, 'nothing sent yet');
  forwarding.events.backendCall(call('c'));
  assert.equal(sent.length, 1, 'the third event fills a batch');
  forwarding.events.backendCall(call('d'));
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(sent.length, 2, 'the rest goes after flushMs');
  assert.deepEqual(sent.map((batch) => batch.map(([name]) => name)), [['backendCall', 'shardClaimed', 'backendCall'], ['backendCall']]);

  const { events, seen } = recorder();
  for (const batch of sent) replayEvents(events, batch);
  assert.deepEqual(seen, ['backendCall a', 'shardClaimed b', 'backendCall c', 'backendCall d']);
});

test('flush sends what waits at once; with nothing waiting it sends nothing', () => {
  const sent: ForwardedEvent[][] = [];
  const forwarding = createForwardingEvents((batch) => sent.push(batch), { flushMs: 60_000 });
  forwarding.flush();
  assert.equal(sent.length, 0);
  forwarding.events.batchFinished({
    tenantId: 't', batchId: 'x', model: 'm', state: 'BATCH_STATE_SUCCEEDED', requestCount: 1, succeeded: 1, failed: 0, usage: undefined, durationMs: 1, finalizeMs: 1,
  });
  forwarding.flush();
  assert.deepEqual(sent.map((batch) => batch.length), [1]);
  assert.equal(structuredClone(sent[0])?.[0]?.[0], 'batchFinished', 'what is sent survives the structured clone to the main thread');
});

test('replay skips a name it does not know', () => {
  const { events, seen } = recorder();
  replayEvents(events, [['nonsense' as keyof EngineEvents, {}], ['backendCall', call('k')]]);
  assert.deepEqual(seen, ['backendCall k']);
});

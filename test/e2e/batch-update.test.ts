/**
 * `PATCH /v1beta/batches/{id}:updateGenerateContentBatch?updateMask=…` (and the embed
 * variant): the answer is the bare batch resource; priority and displayName are updatable; an
 * unknown mask field is 400; another tenant's batch is 404. And its point: a small batch raised
 * above a large one that was queued first finishes first, while an equal small batch queued
 * before it but left at the default priority is still waiting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'update-a';
const OTHER = 'update-b';
const MODEL = 'gemini-2.5-flash';

interface Operation {
  name: string;
  done?: boolean;
  metadata: { state: string; endTime?: string; priority?: string; displayName?: string };
}

describe('updating a batch: priority and display name', () => {
  let server: ServerProcess;
  const call = async (method: string, path: string, body?: unknown, key = KEY): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${server.url}${path}`, {
      method, headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const create = async (count: number, label: string, kind: 'generate' | 'embed' = 'generate'): Promise<string> => {
    const requests = Array.from({ length: count }, (_, index) => kind === 'generate'
      ? { request: { contents: [{ parts: [{ text: `${label} ${index}` }] }] }, metadata: { key: `${label}-${index}` } }
      : { request: { content: { parts: [{ text: `${label} ${index}` }] } }, metadata: { key: `${label}-${index}` } });
    const path = kind === 'generate' ? `/v1beta/models/${MODEL}:batchGenerateContent` : '/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent';
    const body = kind === 'generate'
      ? { batch: { displayName: label, inputConfig: { requests: { requests } } } }
      : { batch: { displayName: label, inputConfig: { requests: { requests } } } };
    const { status, json } = await call('POST', path, body);
    assert.equal(status, 200, JSON.stringify(json));
    return String(json.name);
  };
  const get = async (name: string): Promise<Operation> => (await call('GET', `/v1beta/${name}`)).json as unknown as Operation;
  const done = (name: string): Promise<Operation> => pollUntil(() => get(name), (operation) => operation.done === true, 120_000, 50, `${name} to finish`);

  before(async () => {
    // Two requests at a time, 5 per shard: a 300-request batch holds the workers for several seconds.
    server = await startServerProcess({
      env: { BATCHMODE_API_KEYS: `${KEY},${OTHER}`, BATCHMODE_SIM_LATENCY_MS: '40', BATCHMODE_WORKER_CONCURRENCY: '2', BATCHMODE_SHARD_SIZE: '5' },
    });
  });
  after(() => server.stop());

  test('the answer is the bare batch resource; bad masks and foreign batches are refused', async () => {
    const name = await create(1, 'shape');
    const { status, json } = await call('PATCH', `/v1beta/${name}:updateGenerateContentBatch?updateMask=priority,displayName`, { priority: '-3', displayName: 'renamed' });
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.name, name);
    assert.equal(json.priority, '-3');
    assert.equal(json.displayName, 'renamed');
    assert.equal(json['@type'], undefined, 'a bare resource, not an Operation');
    assert.equal(json.metadata, undefined);
    assert.equal((await get(name)).metadata.priority, '-3', 'the update is stored');

    // snake_case mask, no mask (fields present), and a body under `batch`.
    assert.equal((await call('PATCH', `/v1beta/${name}:updateGenerateContentBatch?update_mask=display_name`, { display_name: 'snake' })).json.displayName, 'snake');
    assert.equal((await call('PATCH', `/v1beta/${name}:updateGenerateContentBatch`, { batch: { priority: 7 } })).json.priority, '7');

    const unknown = await call('PATCH', `/v1beta/${name}:updateGenerateContentBatch?updateMask=model`, { model: 'models/other' });
    assert.equal(unknown.status, 400);
    assert.equal((unknown.json.error as { status: string }).status, 'INVALID_ARGUMENT');
    assert.match((unknown.json.error as { message: string }).message, /model/);
    const badPriority = await call('PATCH', `/v1beta/${name}:updateGenerateContentBatch?updateMask=priority`, { priority: 'high' });
    assert.equal(badPriority.status, 400);
    const foreign = await call('PATCH', `/v1beta/${name}:updateGenerateContentBatch?updateMask=priority`, { priority: '9' }, OTHER);
    assert.equal(foreign.status, 404);
    assert.equal((await get(name)).metadata.priority, '7', "another tenant's update changed nothing");
    const wrongKind = await call('PATCH', `/v1beta/${name}:updateEmbedContentBatch?updateMask=priority`, { priority: '1' });
    assert.equal(wrongKind.status, 400);

    const embed = await create(1, 'embed', 'embed');
    const embedded = await call('PATCH', `/v1beta/${embed}:updateEmbedContentBatch?updateMask=displayName`, { displayName: 'vectors' });
    assert.equal(embedded.status, 200, JSON.stringify(embedded.json));
    assert.equal(embedded.json.displayName, 'vectors');
  });

  test('a small batch raised above a large one finishes first; an earlier one left at 0 still waits', { timeout: 180_000 }, async () => {
    const large = await create(300, 'large');
    // Queued before the raised one and left at the default priority: it waits behind the large batch.
    const control = await create(10, 'control');
    const raised = await create(10, 'raised');
    const patched = await call('PATCH', `/v1beta/${raised}:updateGenerateContentBatch?updateMask=priority`, { priority: '10' });
    assert.equal(patched.status, 200);

    const raisedDone = await done(raised);
    const [largeNow, controlNow] = [await get(large), await get(control)];
    assert.equal(raisedDone.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.notEqual(largeNow.done, true, 'the raised batch finished while the large one still ran');
    assert.notEqual(controlNow.done, true, 'the same small batch, queued earlier but not raised, is still waiting');

    const [largeDone, controlDone] = [await done(large), await done(control)];
    const end = (operation: Operation): number => Date.parse(operation.metadata.endTime ?? '');
    assert.ok(end(raisedDone) < end(largeDone));
    assert.ok(end(raisedDone) < end(controlDone));
  });
});

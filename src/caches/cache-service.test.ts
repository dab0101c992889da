import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBackendRegistry } from '../backends/registry.js';
import { createSimulatedBackend } from '../backends/simulated/simulated-backend.js';
import { AppError } from '../core/errors.js';
import { randomId } from '../lib/ids.js';
import { silentLogger } from '../lib/logger.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { createCacheService, estimatePrefixTokens, type CacheCreate } from './cache-service.js';

/** A clock that moves only when told to. */
function manualClock(nowMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

const registry = createBackendRegistry([{ name: 'gemini-*', backend: createSimulatedBackend(), limits: { maxConcurrency: 1 } }]);
const input = (overrides: Partial<CacheCreate> = {}): CacheCreate => ({
  model: 'models/gemini-2.5-flash', displayName: 'doc',
  prefix: { systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'x'.repeat(400) }] }] },
  expiry: { ttlMs: 60_000 }, ...overrides,
});

async function status(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return `${error.httpStatus} ${error.status}`;
  }
}

describe('the cache service', () => {
  const storage = useTempStorage('batchmode-caches-');
  const open = () => {
    const clock = manualClock();
    return { clock, caches: createCacheService({ store: storage.store, registry, clock, randomId, logger: silentLogger }) };
  };

  test('create stores the model id, the estimate and the expiry; get by full name or id', async () => {
    const { clock, caches } = open();
    const created = await caches.create('t1', input());
    assert.equal(created.model, 'gemini-2.5-flash');
    assert.equal(created.totalTokenCount, estimatePrefixTokens(input().prefix));
    assert.ok(created.totalTokenCount >= 100);
    assert.equal(created.expireTimeMs, clock.now() + 60_000);
    assert.deepEqual(await caches.get('t1', `cachedContents/${created.id}`), created);
    assert.deepEqual(await caches.get('t1', created.id), created);
  });

  test('refusals: unknown model 404, an embedding model 400, nothing cached 400, an expiry in the past 400', async () => {
    const { clock, caches } = open();
    assert.equal(await status(caches.create('t1', input({ model: 'claude' }))), '404 NOT_FOUND');
    assert.equal(await status(caches.create('t1', input({ model: 'gemini-embedding-001' }))), '400 INVALID_ARGUMENT');
    assert.equal(await status(caches.create('t1', input({ prefix: {} }))), '400 INVALID_ARGUMENT');
    assert.equal(await status(caches.create('t1', input({ expiry: { expireTimeMs: clock.now() } }))), '400 INVALID_ARGUMENT');
  });

  test('expiry: an expired cache is 403 everywhere, left out of lists, and swept', async () => {
    const { clock, caches } = open();
    const short = await caches.create('t1', input({ expiry: { ttlMs: 1_000 } }));
    const long = await caches.create('t1', input());
    const updated = await caches.update('t1', short.id, { ttlMs: 2_000 });
    assert.equal(updated.expireTimeMs, clock.now() + 2_000);
    clock.advance(2_000);
    assert.equal(await status(caches.get('t1', short.id)), '403 PERMISSION_DENIED');
    assert.equal(await status(caches.resolve('t1', short.id)), '403 PERMISSION_DENIED');
    assert.equal(await status(caches.update('t1', short.id, { ttlMs: 1_000 })), '403 PERMISSION_DENIED');
    assert.deepEqual((await caches.list('t1', 10)).caches.map((cache) => cache.id), [long.id]);
    assert.equal(await caches.sweep(), 1);
    assert.equal(await storage.store.cachedContents.get('t1', short.id), undefined);
    assert.ok(await storage.store.cachedContents.get('t1', long.id));
  });

  test('tenants are apart; a malformed name is the same 403 as an unknown one', async () => {
    const { caches } = open();
    const created = await caches.create('t1', input());
    assert.equal(await status(caches.get('t2', created.id)), '403 PERMISSION_DENIED');
    assert.equal(await status(caches.delete('t2', created.id)), '403 PERMISSION_DENIED');
    assert.equal(await status(caches.get('t1', 'cachedContents/../x')), '403 PERMISSION_DENIED');
    await caches.delete('t1', created.id);
    assert.equal(await status(caches.get('t1', created.id)), '403 PERMISSION_DENIED');
  });

  test('list pages by keyset, the last page without a cursor', async () => {
    const { clock, caches } = open();
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      ids.unshift((await caches.create('t1', input())).id);
      clock.advance(1);
    }
    const first = await caches.list('t1', 2);
    assert.deepEqual(first.caches.map((cache) => cache.id), ids.slice(0, 2));
    const second = await caches.list('t1', 2, first.next);
    assert.deepEqual(second.caches.map((cache) => cache.id), ids.slice(2));
    assert.equal(second.next, undefined);
  });
});

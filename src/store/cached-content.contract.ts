/**
 * The contract of the cachedContents repository: per-tenant insert/get (an id taken is refused),
 * keyset lists newest first, the expiry update, delete returning the record, and the sweep of
 * expired caches across tenants. Run by each adapter's test file next to describeStoreContract.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CachedContentRecord } from '../core/cached-content.js';
import { withStore, type OpenStore } from './testing/with-store.js';

export function makeCachedContent(overrides: Partial<CachedContentRecord> = {}): CachedContentRecord {
  return {
    id: 'c1', tenantId: 't1', model: 'gemini-2.5-flash', displayName: 'prefix',
    prefix: { systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'A long document' }] }] },
    totalTokenCount: 7, createTimeMs: 1_000, updateTimeMs: 1_000, expireTimeMs: 10_000, ...overrides,
  };
}


export function describeCachedContentContract(name: string, open: OpenStore): void {
  describe(`Store cachedContents: ${name}`, () => {
    test('insert and get per tenant; a taken id is refused and the first record kept', () =>
      withStore(open, async (store) => {
        const record = makeCachedContent({ prefix: { ...makeCachedContent().prefix, tools: [{ functionDeclarations: [{ name: 'f' }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' } } } });
        assert.equal(await store.cachedContents.insert(record), true);
        assert.equal(await store.cachedContents.insert(makeCachedContent({ model: 'other' })), false);
        assert.deepEqual(await store.cachedContents.get('t1', 'c1'), record);
        assert.equal(await store.cachedContents.get('t2', 'c1'), undefined, 'another tenant does not see it');
        assert.equal(await store.cachedContents.insert(makeCachedContent({ tenantId: 't2' })), true, 'ids are per tenant');
      }));

    test('list pages newest first by keyset, per tenant', () =>
      withStore(open, async (store) => {
        for (const [id, createTimeMs] of [['a', 1_000], ['b', 2_000], ['c', 2_000], ['d', 3_000]] as const) {
          await store.cachedContents.insert(makeCachedContent({ id, createTimeMs }));
        }
        await store.cachedContents.insert(makeCachedContent({ id: 'z', tenantId: 't2', createTimeMs: 9_000 }));
        const first = await store.cachedContents.list('t1', { limit: 2 });
        assert.deepEqual(first.map((r) => r.id), ['d', 'c']);
        const last = first[1];
        assert.ok(last);
        const second = await store.cachedContents.list('t1', { limit: 5, after: { createTimeMs: last.createTimeMs, id: last.id } });
        assert.deepEqual(second.map((r) => r.id), ['b', 'a']);
      }));

    test('updateExpiry sets expiry and update time of the tenant\'s cache only', () =>
      withStore(open, async (store) => {
        await store.cachedContents.insert(makeCachedContent());
        assert.equal(await store.cachedContents.updateExpiry('t2', 'c1', 99_000, 5_000), undefined);
        const updated = await store.cachedContents.updateExpiry('t1', 'c1', 99_000, 5_000);
        assert.deepEqual(updated, makeCachedContent({ expireTimeMs: 99_000, updateTimeMs: 5_000 }));
        assert.deepEqual(await store.cachedContents.get('t1', 'c1'), updated);
      }));

    test('delete returns the removed record once', () =>
      withStore(open, async (store) => {
        await store.cachedContents.insert(makeCachedContent());
        assert.equal(await store.cachedContents.delete('t2', 'c1'), undefined);
        assert.deepEqual(await store.cachedContents.delete('t1', 'c1'), makeCachedContent());
        assert.equal(await store.cachedContents.delete('t1', 'c1'), undefined);
      }));

    test('deleteExpired removes caches expired at the time given, any tenant, up to the limit', () =>
      withStore(open, async (store) => {
        await store.cachedContents.insert(makeCachedContent({ id: 'a', expireTimeMs: 5_000 }));
        await store.cachedContents.insert(makeCachedContent({ id: 'b', tenantId: 't2', expireTimeMs: 6_000 }));
        await store.cachedContents.insert(makeCachedContent({ id: 'c', expireTimeMs: 7_000 }));
        await store.cachedContents.insert(makeCachedContent({ id: 'd', expireTimeMs: 6_001 }));
        assert.equal(await store.cachedContents.deleteExpired(6_000, 1), 1);
        assert.equal(await store.cachedContents.deleteExpired(6_000, 10), 1);
        assert.equal(await store.cachedContents.deleteExpired(6_000, 10), 0);
        assert.equal(await store.cachedContents.get('t1', 'a'), undefined);
        assert.equal(await store.cachedContents.get('t2', 'b'), undefined);
        assert.ok(await store.cachedContents.get('t1', 'c'));
        assert.ok(await store.cachedContents.get('t1', 'd'));
      }));
  });
}

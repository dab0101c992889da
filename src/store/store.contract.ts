/**
 * The behavioural contract every Store implementation must meet. Each implementation's test
 * file calls `describeStoreContract` with a factory that opens a fresh, empty store on a real
 * database (never a mock).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FileRecord } from '../core/file.js';
import type { UploadSession } from '../core/upload-session.js';
import type { Store } from './store.js';

export type OpenStore = () => Promise<Store>;

function makeFile(overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    id: 'f1', tenantId: 't1', displayName: 'input', mimeType: 'application/jsonl', sizeBytes: 10,
    sha256Hex: 'ab'.repeat(32), state: 'ACTIVE', source: 'UPLOADED', blobKey: 'files/t1/f1',
    createTimeMs: 1_000, updateTimeMs: 1_000, expirationTimeMs: 50_000, ...overrides,
  };
}

function makeSession(overrides: Partial<UploadSession> = {}): UploadSession {
  return {
    uploadId: 'u1', tenantId: 't1', fileId: 'f9', displayName: 'big', mimeType: 'text/plain',
    declaredSizeBytes: 100, receivedBytes: 0, stagingKey: 'uploads/u1', createTimeMs: 1_000,
    updateTimeMs: 1_000, ...overrides,
  };
}

async function withStore(open: OpenStore, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    test('files: insert, get, duplicate id, tenant isolation, delete', () =>
      withStore(open, async (store) => {
        assert.equal(await store.files.insert(makeFile()), true);
        assert.equal(await store.files.insert(makeFile()), false, 'the same id twice is refused');
        assert.equal(await store.files.insert(makeFile({ tenantId: 't2' })), true, 'ids are per tenant');
        assert.deepEqual(await store.files.get('t1', 'f1'), makeFile());
        assert.equal(await store.files.get('t3', 'f1'), undefined);
        assert.deepEqual(await store.files.delete('t1', 'f1'), makeFile());
        assert.equal(await store.files.delete('t1', 'f1'), undefined);
        assert.equal(await store.files.get('t1', 'f1'), undefined);
        assert.ok(await store.files.get('t2', 'f1'), "another tenant's file is untouched");
      }));

    test('files: keyset paging is newest first, stable on equal times, and complete', () =>
      withStore(open, async (store) => {
        const ids: string[] = [];
        for (let index = 0; index < 25; index++) {
          const id = `f${String(index).padStart(2, '0')}`;
          ids.push(id);
          await store.files.insert(makeFile({ id, createTimeMs: 1_000 + Math.floor(index / 3) }));
        }
        await store.files.insert(makeFile({ id: 'other', tenantId: 't2' }));
        const seen: string[] = [];
        let page = await store.files.list('t1', { limit: 7 });
        while (page.length > 0) {
          seen.push(...page.map((file) => file.id));
          const last = page[page.length - 1]!;
          page = await store.files.list('t1', { limit: 7, after: { createTimeMs: last.createTimeMs, id: last.id } });
        }
        assert.deepEqual(seen, [...ids].reverse());
      }));

    test('files: expired files are listed oldest first', () =>
      withStore(open, async (store) => {
        await store.files.insert(makeFile({ id: 'late', expirationTimeMs: 3_000 }));
        await store.files.insert(makeFile({ id: 'early', expirationTimeMs: 2_000 }));
        await store.files.insert(makeFile({ id: 'alive', expirationTimeMs: 9_000 }));
        const expired = await store.files.listExpired(5_000, 10);
        assert.deepEqual(expired.map((file) => file.id), ['early', 'late']);
      }));

    test('uploads: insert, advance is compare-and-set, complete turns a session into a file', () =>
      withStore(open, async (store) => {
        assert.equal(await store.uploads.insert(makeSession()), true);
        assert.equal(await store.uploads.insert(makeSession({ uploadId: 'u2' })), false, 'file id already reserved');
        assert.equal(await store.uploads.advance('u1', 0, 40, 2_000), true);
        assert.equal(await store.uploads.advance('u1', 0, 80, 2_000), false, 'a stale offset loses');
        const session = await store.uploads.get('u1');
        assert.equal(session?.receivedBytes, 40);
        assert.equal(session?.updateTimeMs, 2_000);
        assert.equal(await store.files.insert(makeFile({ id: 'f9' })), false, 'a reserved id cannot be taken by a file');
        const file = makeFile({ id: 'f9', sizeBytes: 40 });
        assert.equal(await store.uploads.complete('u1', file), true);
        assert.equal(await store.uploads.get('u1'), undefined);
        assert.deepEqual(await store.files.get('t1', 'f9'), file);
        assert.equal(await store.uploads.complete('u1', file), false, 'completing twice does nothing');
      }));

    test('uploads: a session cannot take an existing file id; stale sessions are listed', () =>
      withStore(open, async (store) => {
        await store.files.insert(makeFile({ id: 'f9' }));
        assert.equal(await store.uploads.insert(makeSession()), false);
        await store.uploads.insert(makeSession({ uploadId: 'old', fileId: 'a', updateTimeMs: 100 }));
        await store.uploads.insert(makeSession({ uploadId: 'new', fileId: 'b', updateTimeMs: 9_000 }));
        assert.deepEqual((await store.uploads.listStale(1_000, 10)).map((s) => s.uploadId), ['old']);
        assert.equal((await store.uploads.delete('old'))?.uploadId, 'old');
        assert.equal(await store.uploads.get('old'), undefined);
      }));
  });
}

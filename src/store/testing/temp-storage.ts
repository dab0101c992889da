/**
 * Test helper: the storage the service tests run on, an in-memory SQLite store and a local blob
 * store in a fresh temp dir, opened before each test of the file and closed and removed after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import type { BlobStore } from '../blob-store.js';
import { createLocalBlobStore } from '../local/local-blob-store.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../store.js';

export interface TempStorage {
  /** The local blob store's root: the temp dir. */
  readonly dir: string;
  readonly store: Store;
  readonly blobs: BlobStore;
}

/**
 * Opens a fresh storage before each test of the calling file (`prefix` names its temp dir) and
 * closes and removes it after each one. The object returned reads the running test's storage;
 * call this before any beforeEach that uses it.
 */
export function useTempStorage(prefix: string): TempStorage {
  let current: TempStorage | undefined;
  const open = (): TempStorage => {
    if (!current) throw new Error('the temp storage is open only while a test runs');
    return current;
  };
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    try {
      current = { dir, store: openSqliteStore(':memory:'), blobs: createLocalBlobStore(dir) };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  });
  afterEach(async () => {
    const closing = current;
    current = undefined;
    if (!closing) return;
    try {
      await closing.store.close();
    } finally {
      rmSync(closing.dir, { recursive: true, force: true });
    }
  });
  return {
    get dir() { return open().dir; },
    get store() { return open().store; },
    get blobs() { return open().blobs; },
  };
}

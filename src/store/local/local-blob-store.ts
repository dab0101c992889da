/**
 * BlobStore on the local file system, under `<root>/`. Appends go through a write stream with
 * backpressure (`pipeline`), reads are file streams with optional byte ranges (or, for a small
 * blob read whole, one read into one Buffer), moves are
 * renames within the same file system (atomic). Copies are hard links (instant); a blob that
 * shares its inode is given a private copy before it is appended to or truncated, so that a
 * copy stays an independent snapshot. A full disk surfaces as UNAVAILABLE (disk-errors.ts).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { notFound } from '../../core/errors.js';
import type { BlobStore, ByteRange } from '../blob-store.js';
import { onDisk } from '../disk-errors.js';
import { openLocalAppender } from './local-appender.js';

export function createLocalBlobStore(root: string): BlobStore {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    const path = resolve(base, key);
    if (!path.startsWith(base + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  };

  return {
    openAppender: (key) =>
      onDisk(async () => {
        const path = pathOf(key);
        await mkdir(dirname(path), { recursive: true });
        await unshare(path);
        return openLocalAppender(path);
      }),

    append: (key, source) =>
      onDisk(async () => {
        const path = pathOf(key);
        await mkdir(dirname(path), { recursive: true });
        await unshare(path);
        await pipeline(source, createWriteStream(path, { flags: 'a' }));
        return (await stat(path)).size;
      }),

    async read(key, range?: ByteRange) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch {
        throw notFound(`blob ${key} not found`);
      }
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },

    async readBytes(key, range?: ByteRange) {
      let file: FileHandle;
      try {
        file = await open(pathOf(key), 'r');
      } catch {
        throw notFound(`blob ${key} not found`);
      }
      try {
        const size = (await file.stat()).size;
        const start = range ? Math.min(range.start, size) : 0;
        const end = range ? Math.min(range.end + 1, size) : size;
        const bytes = Buffer.allocUnsafe(Math.max(0, end - start));
        let filled = 0;
        while (filled < bytes.length) {
          const { bytesRead } = await file.read(bytes, filled, bytes.length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return filled === bytes.length ? bytes : bytes.subarray(0, filled);
      } finally {
        await file.close();
      }
    },

    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return undefined;
      }
    },

    truncate: (key, sizeBytes) =>
      onDisk(async () => {
        const path = pathOf(key);
        await unshare(path);
        await truncate(path, sizeBytes);
      }),

    copy: (fromKey, toKey) =>
      onDisk(async () => {
        const target = pathOf(toKey);
        await mkdir(dirname(target), { recursive: true });
        await rm(target, { force: true });
        // A hard link is a snapshot as long as neither name is changed in place; see unshare.
        await link(pathOf(fromKey), target).catch(() => copyFile(pathOf(fromKey), target));
      }),

    move: (fromKey, toKey) =>
      onDisk(async () => {
        const target = pathOf(toKey);
        await mkdir(dirname(target), { recursive: true });
        await rename(pathOf(fromKey), target);
      }),

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async deletePrefix(prefix) {
      if (!prefix.endsWith('/')) throw new Error(`blob prefix must end with '/': ${prefix}`);
      await rm(pathOf(prefix), { recursive: true, force: true });
    },
  };
}

/** Gives a hard-linked file its own inode (copy, then rename over), so that changing it leaves the other names alone. */
async function unshare(path: string): Promise<void> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined || stats.nlink < 2) return;
  const temporary = `${path}.unshare-${randomBytes(6).toString('hex')}`;
  await copyFile(path, temporary);
  await rename(temporary, path);
}

/** Where the local blob store of a data directory lives. */
export const localBlobRoot = (dataDir: string): string => join(dataDir, 'blobs');

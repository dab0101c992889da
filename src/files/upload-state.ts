/**
 * The in-memory half of resumable uploads (the store holds the rest): the running SHA-256 of
 * each upload's staged bytes, kept between chunks so a chunk hashes only its own bytes, and
 * which uploads have a request in progress in this process. One instance is shared by the
 * upload service (which uses it) and the retention sweep (which forgets what it removes).
 *
 * Memory stays bounded: at most `maxEntries` hashes are held (the least recently used goes
 * first), and `sweep` drops those idle since a given time. Losing a hash is never wrong, only
 * slower: the upload service rebuilds it by reading the staged bytes back once. A hash is
 * handed out with `take` (it leaves the cache, since the caller mutates it) and comes back
 * with `hold` once the chunk is stored, so a half-consumed hash is never reused.
 */
import type { Hash } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Clock } from '../lib/clock.js';

export interface UploadState {
  /** The running hash of an upload's first `receivedBytes` bytes, if held; it leaves the cache. */
  take(uploadId: string, receivedBytes: number): Hash | undefined;
  /** Keeps the running hash of an upload's first `receivedBytes` bytes for its next chunk. */
  hold(uploadId: string, hash: Hash, receivedBytes: number): void;
  /** Drops what is held for an upload (finished, cancelled or swept). */
  forget(uploadId: string): void;
  /** Runs `body` as the only request in progress for the upload, else refuses with ABORTED. */
  exclusively<T>(uploadId: string, body: () => Promise<T>): Promise<T>;
  /** Drops the hashes of uploads idle since before `idleBeforeMs`; resolves how many went. */
  sweep(idleBeforeMs: number): number;
  /** Hashes held now (for tests and metrics). */
  readonly size: number;
}

interface Held {
  hash: Hash;
  receivedBytes: number;
  touchedMs: number;
}

/** Default bound on held hashes: a SHA-256 state is a few hundred bytes. */
const DEFAULT_MAX_ENTRIES = 10_000;

export function createUploadState(clock: Clock, maxEntries = DEFAULT_MAX_ENTRIES): UploadState {
  /** In least-recently-held order: `hold` re-inserts, so the first entry is the oldest. */
  const held = new Map<string, Held>();
  const busy = new Set<string>();

  return {
    take(uploadId, receivedBytes) {
      const entry = held.get(uploadId);
      held.delete(uploadId);
      return entry?.receivedBytes === receivedBytes ? entry.hash : undefined;
    },

    hold(uploadId, hash, receivedBytes) {
      held.delete(uploadId);
      held.set(uploadId, { hash, receivedBytes, touchedMs: clock.now() });
      for (const oldest of held.keys()) {
        if (held.size <= maxEntries) break;
        held.delete(oldest);
      }
    },

    forget(uploadId) {
      held.delete(uploadId);
    },

    async exclusively(uploadId, body) {
      if (busy.has(uploadId)) throw new AppError('ABORTED', 'Another request for this upload is in progress; retry after it ends.');
      busy.add(uploadId);
      try {
        return await body();
      } finally {
        busy.delete(uploadId);
      }
    },

    sweep(idleBeforeMs) {
      let dropped = 0;
      for (const [uploadId, entry] of held) {
        if (entry.touchedMs >= idleBeforeMs) continue;
        held.delete(uploadId);
        dropped++;
      }
      return dropped;
    },

    get size() {
      return held.size;
    },
  };
}

/**
 * The URL context tool's cache: a URL named by thousands of requests of a batch is fetched once.
 * Single-flight (callers of a URL being fetched wait for that fetch), bounded by the bytes of
 * text it holds (oldest dropped first) and by age (TTL), so a page is fetched again after a
 * while. The shared fetch runs on its own signal: one caller giving up neither aborts it nor
 * fails the others; that caller alone stops waiting.
 */
import { cancelledError } from '../cancelled-error.js';
import type { FetchedUrl } from './url-fetcher.js';

export interface FetchCacheOptions {
  /** Most bytes of text held; default 64 MiB. */
  maxBytes?: number;
  /** How long an answer is reused; default 10 minutes. */
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  answer: Promise<FetchedUrl>;
  bytes: number;
  expiresAt: number;
}

export interface FetchCache {
  /** The cached answer for `url`, or `load()`'s (started once for all concurrent callers). */
  get(url: string, load: () => Promise<FetchedUrl>, signal: AbortSignal): Promise<FetchedUrl>;
  /** URLs held now (tests). */
  size(): number;
}

export function createFetchCache(options: FetchCacheOptions = {}): FetchCache {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let heldBytes = 0;

  const drop = (url: string): void => {
    const entry = entries.get(url);
    if (entry === undefined) return;
    heldBytes -= entry.bytes;
    entries.delete(url);
  };

  const waitFor = (answer: Promise<FetchedUrl>, signal: AbortSignal): Promise<FetchedUrl> => {
    if (signal.aborted) return Promise.reject(cancelledError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(cancelledError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  };

  return {
    get(url, load, signal) {
      const found = entries.get(url);
      if (found !== undefined && found.expiresAt > now()) return waitFor(found.answer, signal);
      if (found !== undefined) drop(url);
      const entry: Entry = { answer: load(), bytes: 0, expiresAt: Number.POSITIVE_INFINITY };
      entries.set(url, entry);
      entry.answer.then((fetched) => {
        if (entries.get(url) !== entry) return;
        entry.bytes = Buffer.byteLength(fetched.text ?? '') + url.length;
        entry.expiresAt = now() + ttlMs;
        heldBytes += entry.bytes;
        for (const [oldest] of entries) {
          if (heldBytes <= maxBytes) break;
          drop(oldest);
        }
      }, () => {
        if (entries.get(url) === entry) entries.delete(url);
      });
      return waitFor(entry.answer, signal);
    },
    size: () => entries.size,
  };
}

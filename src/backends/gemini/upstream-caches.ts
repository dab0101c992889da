/**
 * The upstream copies of batchmode's caches, for the Gemini backend (issue 16): the first call
 * naming a local cache creates it upstream (`POST {version}/cachedContents` with the cache's
 * system instruction, contents, tools and tool config), and every later call for the same cache
 * and upstream model sends that upstream name, so Google bills the prefix at its cached price.
 * Concurrent first calls share one creation, which runs under its own deadline: a caller that
 * gives up stops waiting for it without cancelling it for the others.
 *
 * Lifetime: an upstream copy lives as long as the local cache still has, but at least
 * MIN_UPSTREAM_TTL_MS (a batch keeps using a cache frozen with it after the local one expired)
 * and at most MAX_UPSTREAM_TTL_MS (unused copies cost storage by the hour); one that is about to
 * lapse is created anew, and one the upstream no longer knows is dropped by `forget` so that the
 * next call creates it again. Each process keeps its own copies (in memory): a restart or another
 * worker process creates one more.
 *
 * A cache the upstream refuses to hold (Gemini wants a minimum number of tokens, 1,024 to 4,096
 * depending on the model) is not an error: the name resolves to `undefined` and the backend
 * sends the prefix inline for that cache, as every other backend does. Transient failures (429,
 * 5xx, transport) reject, so the batch's retries apply, and are not remembered.
 */
import type { CachedContentRecord } from '../../core/cached-content.js';
import { onAbort } from '../../lib/abort.js';
import { BackendError } from '../backend.js';
import { cancelledError } from '../cancelled-error.js';

export const MIN_UPSTREAM_TTL_MS = 10 * 60_000;
export const MAX_UPSTREAM_TTL_MS = 60 * 60_000;
/** A copy with less than this left is not used for a new call: it could lapse mid-call. */
const RENEW_MARGIN_MS = 60_000;

/** POSTs a JSON body to a path under the API version and resolves the 2xx JSON (BackendError otherwise). */
export type UpstreamPost = (path: string, body: unknown, signal: AbortSignal) => Promise<unknown>;

export interface UpstreamCaches {
  /** The upstream cache's name (`cachedContents/…`) for this cache and model; undefined: send the prefix inline. */
  nameFor(cache: CachedContentRecord, upstreamModel: string, signal: AbortSignal): Promise<string | undefined>;
  /** Drops the copy of this cache (the upstream answered that it does not know the name). */
  forget(cache: CachedContentRecord, upstreamModel: string): void;
  /** Copies created so far (for tests and logs). */
  readonly created: number;
}

interface Copy {
  name: Promise<string | undefined>;
  expiresAtMs: number;
}

/** Resolves as `promise` does, or rejects as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError(signal));
  return new Promise((resolve, reject) => {
    const dispose = onAbort(signal, () => reject(cancelledError(signal)));
    promise.then(resolve, reject).finally(dispose);
  });
}

export function createUpstreamCaches(post: UpstreamPost, options: { timeoutMs: number; now?: () => number }): UpstreamCaches {
  const now = options.now ?? Date.now;
  const copies = new Map<string, Copy>();
  let created = 0;
  const keyOf = (cache: CachedContentRecord, model: string): string => `${cache.tenantId}/${cache.id}@${model}`;

  const create = async (cache: CachedContentRecord, model: string, ttlMs: number): Promise<string | undefined> => {
    const { systemInstruction, contents, tools, toolConfig } = cache.prefix;
    const body = {
      model: `models/${model}`,
      displayName: `batchmode ${cache.id}`.slice(0, 128),
      ...(systemInstruction ? { systemInstruction } : {}),
      ...(contents && contents.length > 0 ? { contents } : {}),
      ...(tools ? { tools } : {}),
      ...(toolConfig ? { toolConfig } : {}),
      ttl: `${Math.ceil(ttlMs / 1000)}s`,
    };
    try {
      const answer = (await post('cachedContents', body, AbortSignal.timeout(options.timeoutMs))) as { name?: unknown } | undefined;
      if (typeof answer?.name !== 'string' || !answer.name.startsWith('cachedContents/')) {
        throw new BackendError('The upstream answered a cache creation without a cachedContents/ name.', { status: 'INTERNAL', retryable: true });
      }
      created++;
      return answer.name;
    } catch (error) {
      // Refused for what it is (too small, a model without caching): send this cache inline.
      if (error instanceof BackendError && !error.retryable && (error.status === 'INVALID_ARGUMENT' || error.status === 'FAILED_PRECONDITION')) return undefined;
      throw error;
    }
  };

  return {
    nameFor(cache, model, signal) {
      const key = keyOf(cache, model);
      const at = now();
      const known = copies.get(key);
      if (known && known.expiresAtMs - at > RENEW_MARGIN_MS) return raceAbort(known.name, signal);
      const ttlMs = Math.min(MAX_UPSTREAM_TTL_MS, Math.max(MIN_UPSTREAM_TTL_MS, cache.expireTimeMs - at));
      const copy: Copy = { name: create(cache, model, ttlMs), expiresAtMs: at + ttlMs };
      copies.set(key, copy);
      // A failed creation is not remembered: the next call (the retry) tries again.
      copy.name.catch(() => {
        if (copies.get(key) === copy) copies.delete(key);
      });
      return raceAbort(copy.name, signal);
    },
    forget(cache, model) {
      copies.delete(keyOf(cache, model));
    },
    get created() {
      return created;
    },
  };
}

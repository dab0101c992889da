/**
 * The caches a batch's requests name (`cachedContent`, issue 16). At create, each name is
 * resolved once for the batch's tenant and model (`CacheCollector.use`: an unknown, foreign or
 * expired cache, or one of another model, fails that request line), and the records are frozen
 * into the batch's own blob `batches/<id>/caches.json`, so a running batch keeps its prefixes
 * even if a cache expires or is deleted meanwhile. Workers read that blob (`readBatchCaches`).
 */
import { Readable } from 'node:stream';
import { batchCachesKey } from '../core/blob-keys.js';
import { cachedContentIdOf, cachedContentNotFound, type CachedContentRecord } from '../core/cached-content.js';
import { invalidArgument } from '../core/errors.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';
import type { BlobStore } from '../store/blob-store.js';
import { readBlobBytes } from '../store/read-blob.js';
import type { Store } from '../store/store.js';

/** A batch's caches by the name its requests use (`cachedContents/<id>`). */
export type BatchCaches = ReadonlyMap<string, CachedContentRecord>;

export interface CacheCollector {
  /** Resolves the cache a request names (once per name); resolves its prefix tokens, 0 for none. Throws the line's error. */
  use(request: GenerateContentRequest): Promise<number>;
  /** Writes the caches used, if any, to the batch's blob. */
  save(blobs: BlobStore, batchId: string): Promise<void>;
}

export function createCacheCollector(store: Pick<Store, 'cachedContents'>, tenantId: string, modelId: string, nowMs: number): CacheCollector {
  const used = new Map<string, CachedContentRecord>();
  return {
    async use(request) {
      const name = request.cachedContent;
      if (name === undefined || name === '') return 0;
      let cache = used.get(name);
      if (!cache) {
        const id = cachedContentIdOf(name);
        const found = id === undefined ? undefined : await store.cachedContents.get(tenantId, id);
        if (!found || found.expireTimeMs <= nowMs) throw new Error(`cachedContent '${name}': ${cachedContentNotFound().message}`);
        cache = found;
        used.set(name, cache);
      }
      if (cache.model !== modelId) {
        throw invalidArgument(`cachedContent '${name}' is for models/${cache.model}, not the batch's models/${modelId}.`);
      }
      if (request.systemInstruction !== undefined || request.tools !== undefined || request.toolConfig !== undefined) {
        throw invalidArgument('CachedContent can not be used with a request setting systemInstruction, tools or toolConfig.');
      }
      return cache.totalTokenCount;
    },
    async save(blobs, batchId) {
      if (used.size === 0) return;
      await blobs.append(batchCachesKey(batchId), Readable.from([JSON.stringify(Object.fromEntries(used))]));
    },
  };
}

/** The caches frozen at create; empty when the batch names none. */
export async function readBatchCaches(blobs: BlobStore, batchId: string): Promise<BatchCaches> {
  const key = batchCachesKey(batchId);
  if ((await blobs.size(key)) === undefined) return new Map();
  return new Map(Object.entries(JSON.parse((await readBlobBytes(blobs, key)).toString('utf8')) as Record<string, CachedContentRecord>));
}

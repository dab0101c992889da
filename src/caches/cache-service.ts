/**
 * The cachedContents API's logic (issue 16): create, get, list (keyset pages), update the
 * expiry, delete, the sweep of expired caches, and `resolve`, which hands the interactive calls
 * a tenant's live cache by name. Every call is scoped to a tenant; a cache of another tenant, an
 * unknown one and an expired one all get the same 403 (core/cached-content.ts).
 */
import type { BackendRegistry } from '../backends/registry.js';
import {
  cachedContentIdOf, cachedContentNotFound, type CachedContentRecord, type CachedPrefix,
} from '../core/cached-content.js';
import { invalidArgument, modelNotFound } from '../core/errors.js';
import { estimatePromptTokens } from '../core/token-estimate.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { ListCursor, Store } from '../store/store.js';

/** When a cache ends: a lifetime from now, or a point in time. */
export type CacheExpiry = { ttlMs: number } | { expireTimeMs: number };

export interface CacheCreate {
  /** As sent: `models/<id>` or a bare id. */
  model: string;
  displayName: string;
  prefix: CachedPrefix;
  expiry: CacheExpiry;
}

export interface CachePage {
  caches: CachedContentRecord[];
  /** Present only when another page may follow. */
  next?: ListCursor;
}

export interface CacheService {
  create(tenantId: string, input: CacheCreate): Promise<CachedContentRecord>;
  get(tenantId: string, name: string): Promise<CachedContentRecord>;
  list(tenantId: string, pageSize: number, after?: ListCursor): Promise<CachePage>;
  update(tenantId: string, name: string, expiry: CacheExpiry): Promise<CachedContentRecord>;
  delete(tenantId: string, name: string): Promise<void>;
  /** The tenant's live cache named `cachedContents/<id>`, for a request that uses it. */
  resolve(tenantId: string, name: string): Promise<CachedContentRecord>;
  /** Removes expired caches; resolves how many went. */
  sweep(): Promise<number>;
}

export interface CacheServiceDeps {
  store: Pick<Store, 'cachedContents'>;
  registry: Pick<BackendRegistry, 'resolve'>;
  clock: Clock;
  randomId: IdGenerator;
  logger: Logger;
}

/** Length of generated cache ids (Gemini's are 12 lowercase alphanumerics too). */
export const CACHE_ID_LENGTH = 12;
const SWEEP_BATCH = 500;
const CHARS_PER_TOKEN = 4;

/** Estimated tokens of a prefix: its contents and system instruction, plus its tool declarations as JSON. */
export function estimatePrefixTokens(prefix: CachedPrefix): number {
  const tools = prefix.tools || prefix.toolConfig ? JSON.stringify([prefix.tools ?? [], prefix.toolConfig ?? {}]).length : 0;
  return estimatePromptTokens({ contents: prefix.contents ?? [], systemInstruction: prefix.systemInstruction }) + Math.ceil(tools / CHARS_PER_TOKEN);
}

export function createCacheService(deps: CacheServiceDeps): CacheService {
  const { store, clock } = deps;
  const expiryAt = (expiry: CacheExpiry, now: number, field: string): number => {
    const at = 'ttlMs' in expiry ? now + expiry.ttlMs : expiry.expireTimeMs;
    if (at <= now) throw invalidArgument(`${field} must be in the future.`);
    return at;
  };
  const idOf = (name: string): string => {
    const id = cachedContentIdOf(name);
    if (id === undefined) throw cachedContentNotFound();
    return id;
  };
  const get = async (tenantId: string, name: string): Promise<CachedContentRecord> => {
    const record = await store.cachedContents.get(tenantId, idOf(name));
    if (!record || record.expireTimeMs <= clock.now()) throw cachedContentNotFound();
    return record;
  };

  return {
    async create(tenantId, input) {
      const resolved = deps.registry.resolve(input.model);
      if (!resolved) throw modelNotFound(input.model.replace(/^models\//, ''), 'createCachedContent');
      if (!resolved.info.supportedGenerationMethods.includes('createCachedContent')) {
        throw invalidArgument(`models/${resolved.id} does not support createCachedContent.`);
      }
      const hasContent = (input.prefix.contents?.length ?? 0) > 0 || input.prefix.systemInstruction !== undefined || input.prefix.tools !== undefined;
      if (!hasContent) throw invalidArgument("A cache needs something to cache: set 'contents', 'systemInstruction' or 'tools'.");
      const now = clock.now();
      const expireTimeMs = expiryAt(input.expiry, now, 'ttl' in input.expiry ? 'ttl' : 'expireTime');
      for (;;) {
        const record: CachedContentRecord = {
          id: deps.randomId(CACHE_ID_LENGTH), tenantId, model: resolved.id, displayName: input.displayName,
          prefix: input.prefix, totalTokenCount: estimatePrefixTokens(input.prefix),
          createTimeMs: now, updateTimeMs: now, expireTimeMs,
        };
        if (await store.cachedContents.insert(record)) return record;
      }
    },

    get,

    async list(tenantId, pageSize, after) {
      // One extra row tells whether another page exists, so the last page has no token.
      const rows = await store.cachedContents.list(tenantId, { limit: pageSize + 1, ...(after ? { after } : {}) });
      const now = clock.now();
      const page = rows.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        caches: page.filter((record) => record.expireTimeMs > now),
        ...(rows.length > pageSize && last ? { next: { createTimeMs: last.createTimeMs, id: last.id } } : {}),
      };
    },

    async update(tenantId, name, expiry) {
      const current = await get(tenantId, name);
      const now = clock.now();
      const updated = await store.cachedContents.updateExpiry(tenantId, current.id, expiryAt(expiry, now, 'ttlMs' in expiry ? 'ttl' : 'expireTime'), now);
      if (!updated) throw cachedContentNotFound();
      return updated;
    },

    async delete(tenantId, name) {
      const removed = await store.cachedContents.delete(tenantId, idOf(name));
      if (!removed || removed.expireTimeMs <= clock.now()) throw cachedContentNotFound();
    },

    resolve: get,

    async sweep() {
      const removed = await store.cachedContents.deleteExpired(clock.now(), SWEEP_BATCH);
      if (removed > 0) deps.logger.info('swept expired cached contents', { caches: removed });
      return removed;
    },
  };
}

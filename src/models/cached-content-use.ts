/**
 * A generate request naming a cache (`cachedContent: "cachedContents/<id>"`) in an interactive
 * call: the tenant's live cache is resolved (an unknown, foreign or expired one is Gemini's 403),
 * its prefix put in front of the request (core/apply-cached-prefix.ts), so every backend gets the
 * prefix and no backend sees the name (the Gemini backend may send an upstream copy of the cache
 * instead, CallOptions.cache); answers then report `usageMetadata.cachedContentTokenCount`.
 */
import { applyCachedPrefix } from '../core/apply-cached-prefix.js';
export { reportCachedTokens } from '../core/apply-cached-prefix.js';
import type { CachedCall } from '../backends/backend.js';
import type { CachedContentRecord } from '../core/cached-content.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';

/** Finds a tenant's live cache by name, or throws the 403 (caches/ provides it). */
export type CacheResolver = (tenantId: string, name: string) => Promise<CachedContentRecord>;

export interface PreparedRequest {
  request: GenerateContentRequest;
  /** Tokens of the cached prefix; 0 when no cache is named. */
  cachedTokens: number;
  /** The cache and the request as the client wrote it, for a backend keeping caches upstream. */
  cache?: CachedCall;
}

/** The request as the backend gets it: with the cache's prefix when it names one. */
export async function withCachedContent(
  resolveCache: CacheResolver | undefined,
  tenantId: string,
  modelId: string,
  request: GenerateContentRequest,
): Promise<PreparedRequest> {
  if (request.cachedContent === undefined || request.cachedContent === '') return { request, cachedTokens: 0 };
  if (!resolveCache) return { request, cachedTokens: 0 };
  const cache = await resolveCache(tenantId, request.cachedContent);
  return { request: applyCachedPrefix(request, cache, modelId), cachedTokens: cache.totalTokenCount, cache: { record: cache, original: request } };
}

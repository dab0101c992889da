/** The cachedContents API's service: the entry point of caches/ for the API and the composition root. */
export { createCacheService, estimatePrefixTokens } from './cache-service.js';
export type { CacheCreate, CacheExpiry, CachePage, CacheService, CacheServiceDeps } from './cache-service.js';

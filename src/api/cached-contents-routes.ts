/**
 * cachedContents routes (issue 16): create, get, list (`pageSize`, `pageToken`), update the
 * expiry (PATCH with `updateMask`) and delete, on `/v1beta/cachedContents`. The logic is in
 * caches/; bodies are parsed by wire/cached-content-body.ts.
 */
import { DEFAULT_CACHE_TTL_MS } from '../core/cached-content.js';
import type { CacheService } from '../caches/index.js';
import { readJsonBody, sendJson } from './http.js';
import type { Route } from './router.js';
import { parseCacheCreateBody, parseCacheUpdateBody } from './wire/cached-content-body.js';
import { toWireCachedContent } from './wire/cached-content-resource.js';
import { parsePageSize, parsePageToken, withNextPageToken } from './wire/pagination.js';

export interface CachedContentsRoutesDeps {
  caches: CacheService;
  maxJsonBodyBytes: number;
}

const CACHE = new RegExp('^/v1beta/cachedContents/(?<cacheId>[^/:]+)$');
const CACHE_PAGES = { pageSize: 10, maxPageSize: 1000 };

export function cachedContentsRoutes(deps: CachedContentsRoutesDeps): Route[] {
  const { caches } = deps;
  return [
    {
      methods: ['POST'],
      pattern: /^\/v1beta\/cachedContents$/,
      handler: async ({ request, response, tenantId }) => {
        const input = parseCacheCreateBody(await readJsonBody(request, deps.maxJsonBodyBytes), DEFAULT_CACHE_TTL_MS);
        sendJson(response, 200, toWireCachedContent(await caches.create(tenantId, input)));
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v1beta\/cachedContents$/,
      handler: async ({ response, url, tenantId }) => {
        const page = await caches.list(tenantId, parsePageSize(url, CACHE_PAGES), parsePageToken(url));
        const cachedContents = page.caches.map(toWireCachedContent);
        sendJson(response, 200, withNextPageToken(cachedContents.length > 0 ? { cachedContents } : {}, page.next));
      },
    },
    {
      methods: ['GET'],
      pattern: CACHE,
      handler: async ({ response, params, tenantId }) => {
        sendJson(response, 200, toWireCachedContent(await caches.get(tenantId, params.cacheId ?? '')));
      },
    },
    {
      methods: ['PATCH'],
      pattern: CACHE,
      handler: async ({ request, response, url, params, tenantId }) => {
        const expiry = parseCacheUpdateBody(await readJsonBody(request, deps.maxJsonBodyBytes), url);
        sendJson(response, 200, toWireCachedContent(await caches.update(tenantId, params.cacheId ?? '', expiry)));
      },
    },
    {
      methods: ['DELETE'],
      pattern: CACHE,
      handler: async ({ response, params, tenantId }) => {
        await caches.delete(tenantId, params.cacheId ?? '');
        sendJson(response, 200, {});
      },
    },
  ];
}

/**
 * CachedContentRecord → the wire CachedContent resource: `name`, `model` (`models/…`),
 * `displayName` (when set), `usageMetadata.totalTokenCount`, and RFC 3339 `createTime`,
 * `updateTime`, `expireTime`. The prefix itself is not returned, as Gemini does not.
 */
import { CACHED_CONTENT_PREFIX, type CachedContentRecord } from '../../core/cached-content.js';
import { toTimestamp } from '../../lib/clock.js';

export interface WireCachedContent {
  name: string;
  model: string;
  displayName?: string;
  usageMetadata: { totalTokenCount: number };
  createTime: string;
  updateTime: string;
  expireTime: string;
}

export function toWireCachedContent(record: CachedContentRecord): WireCachedContent {
  return {
    name: `${CACHED_CONTENT_PREFIX}${record.id}`,
    model: `models/${record.model}`,
    ...(record.displayName ? { displayName: record.displayName } : {}),
    usageMetadata: { totalTokenCount: record.totalTokenCount },
    createTime: toTimestamp(record.createTimeMs),
    updateTime: toTimestamp(record.updateTimeMs),
    expireTime: toTimestamp(record.expireTimeMs),
  };
}

/** Rows of the `cached_contents` table (both dialects) and their mapping to CachedContentRecord. */
import type { CachedContentRecord, CachedPrefix } from '../core/cached-content.js';

export interface CachedContentRow {
  tenant_id: string;
  id: string;
  model: string;
  display_name: string;
  prefix_json: string;
  total_token_count: number;
  create_time_ms: number;
  update_time_ms: number;
  expire_time_ms: number;
}

export function cachedContentFromRow(row: CachedContentRow): CachedContentRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    model: row.model,
    displayName: row.display_name,
    prefix: JSON.parse(row.prefix_json) as CachedPrefix,
    totalTokenCount: row.total_token_count,
    createTimeMs: row.create_time_ms,
    updateTimeMs: row.update_time_ms,
    expireTimeMs: row.expire_time_ms,
  };
}

/** Parameters in column order: tenant_id, id, model, display_name, prefix_json, total_token_count, create, update, expire. */
export function cachedContentToParams(record: CachedContentRecord): (string | number)[] {
  return [
    record.tenantId, record.id, record.model, record.displayName, JSON.stringify(record.prefix),
    record.totalTokenCount, record.createTimeMs, record.updateTimeMs, record.expireTimeMs,
  ];
}

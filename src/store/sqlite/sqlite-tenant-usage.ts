/**
 * A tenant's usage on SQLite (store/tenant-usage-sql.ts), synchronous so that it runs inside the
 * IMMEDIATE transactions of the creates it admits: SQLite runs one writer at a time, so a check
 * and its insert cannot interleave with another tenant's create.
 */
import type { Database } from 'better-sqlite3';
import type { TenantUsage } from '../../core/quota.js';
import type { QuotaUsageRepository } from '../store.js';
import { ACTIVE_BATCHES_SQL, ENQUEUED_TOKENS_SQL, STORED_BYTES_SQL, usageFromRows } from '../tenant-usage-sql.js';

export function createSqliteTenantUsage(db: Database): (tenantId: string) => TenantUsage {
  const storedBytes = db.prepare<[string], { n: number }>(STORED_BYTES_SQL);
  const activeBatches = db.prepare<[string], { n: number }>(ACTIVE_BATCHES_SQL);
  const tokens = db.prepare<[string], { model: string; n: number }>(ENQUEUED_TOKENS_SQL);
  return (tenantId) => usageFromRows(storedBytes.get(tenantId)?.n ?? 0, activeBatches.get(tenantId)?.n ?? 0, tokens.all(tenantId));
}

export function createSqliteQuotaUsageRepository(db: Database): QuotaUsageRepository {
  const read = createSqliteTenantUsage(db);
  return { usage: async (tenantId) => read(tenantId) };
}

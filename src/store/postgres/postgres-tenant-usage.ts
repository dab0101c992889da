/**
 * A tenant's usage on PostgreSQL (store/tenant-usage-sql.ts), and the per-tenant lock that makes
 * a quota check and its insert one step: a transaction-scoped advisory lock on the tenant, taken
 * by every create that is admitted against the tenant's usage, so two of its creates racing in
 * different processes check one after the other.
 */
import type { Pool } from 'pg';
import type { TenantUsage } from '../../core/quota.js';
import type { QuotaUsageRepository } from '../store.js';
import { ACTIVE_BATCHES_SQL, ENQUEUED_TOKENS_SQL, STORED_BYTES_SQL, usageFromRows } from '../tenant-usage-sql.js';
import type { Queryable } from './transaction.js';

/** `?` placeholders as `$1`. */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const storedBytesSql = numbered(STORED_BYTES_SQL);
const activeBatchesSql = numbered(ACTIVE_BATCHES_SQL);
const tokensSql = numbered(ENQUEUED_TOKENS_SQL);

export async function readTenantUsage(client: Queryable, tenantId: string): Promise<TenantUsage> {
  const [stored, active, tokens] = [
    await client.query<{ n: number }>(storedBytesSql, [tenantId]),
    await client.query<{ n: number }>(activeBatchesSql, [tenantId]),
    await client.query<{ model: string; n: number }>(tokensSql, [tenantId]),
  ];
  return usageFromRows(stored.rows[0]?.n ?? 0, active.rows[0]?.n ?? 0, tokens.rows);
}

/** Kept apart from the file-id locks (transaction.ts) by its class. */
export const TENANT_QUOTA_LOCK_CLASS = 0x7171; // 'qq'

/** Serialises the tenant's admitted creates until the transaction ends. */
export async function lockTenantQuota(client: Queryable, tenantId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TENANT_QUOTA_LOCK_CLASS, tenantId]);
}

export function createPostgresQuotaUsageRepository(pool: Pool): QuotaUsageRepository {
  return { usage: async (tenantId) => readTenantUsage(pool, tenantId) };
}

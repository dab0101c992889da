/** The port of the quota queries (core/quota.ts): what a tenant uses now. SQL in tenant-usage-sql.ts. */
import type { TenantUsage } from '../core/quota.js';

export interface QuotaUsageRepository {
  /** Stored bytes of its uploaded files, its PENDING and RUNNING batches, and its enqueued tokens per model. */
  usage(tenantId: string): Promise<TenantUsage>;
}

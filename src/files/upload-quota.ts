/**
 * The quotas an upload passes (core/quota.ts): the tenant's largest file and stored file bytes.
 * A declared size is checked at start; bytes are metered against what is left, so an upload
 * without a declared size stops as soon as it goes over; and the file's record is inserted
 * with an admission that checks again against the usage read in the store's transaction, so
 * two uploads racing cannot both fit. `--max-upload-bytes` still applies: when it is the
 * smaller limit, going over it stays the 400 it always was; the quotas answer 429.
 */
import type { AppError } from '../core/errors.js';
import { checkFileAdmission, DEFAULT_QUOTAS, limitsFor, quotaExceeded, type Admission, type QuotaConfig, type TenantLimits } from '../core/quota.js';
import type { Store } from '../store/store.js';

export interface UploadQuota {
  /** Refuses (429) a declared size that does not fit the tenant's quotas now. */
  admitDeclared(tenantId: string, declaredSizeBytes: number | undefined): Promise<void>;
  /**
   * The most bytes the upload may hold in all (`cap`: the declared size or the per-file
   * maximum), and the 429 to answer when it goes over, when a quota is below `cap`.
   */
  budget(tenantId: string, cap: number): Promise<{ maxBytes: number; overQuota: (() => AppError) | undefined }>;
  /** The check of a finished file of `sizeBytes`, run in the transaction that inserts it. */
  admission(tenantId: string, sizeBytes: number): Admission;
}

export function createUploadQuota(store: Store, quotas: QuotaConfig = DEFAULT_QUOTAS): UploadQuota {
  const limits = (tenantId: string): TenantLimits => limitsFor(quotas, tenantId);
  const refusal = (tenantId: string, tenantLimits: TenantLimits, stored: number, sizeBytes: number): AppError => {
    try {
      checkFileAdmission(tenantId, tenantLimits, { storedFileBytes: stored, activeBatches: 0, enqueuedTokensByModel: {} }, sizeBytes);
    } catch (error) {
      return error as AppError;
    }
    return quotaExceeded(tenantId, { description: `a file of ${sizeBytes} bytes does not fit the tenant's file quotas.` });
  };

  return {
    async admitDeclared(tenantId, declared) {
      const tenantLimits = limits(tenantId);
      if (declared === undefined || (tenantLimits.largestFileBytes === undefined && tenantLimits.storedFileBytes === undefined)) return;
      checkFileAdmission(tenantId, tenantLimits, await store.quotaUsage.usage(tenantId), declared);
    },

    async budget(tenantId, cap) {
      const tenantLimits = limits(tenantId);
      const { largestFileBytes, storedFileBytes } = tenantLimits;
      if (largestFileBytes === undefined && storedFileBytes === undefined) return { maxBytes: cap, overQuota: undefined };
      const stored = storedFileBytes === undefined ? 0 : (await store.quotaUsage.usage(tenantId)).storedFileBytes;
      const quota = Math.max(0, Math.min(largestFileBytes ?? Infinity, storedFileBytes === undefined ? Infinity : storedFileBytes - stored));
      if (quota >= cap) return { maxBytes: cap, overQuota: undefined };
      // The meter stops one byte past the quota: the refused size is "at least" that.
      return { maxBytes: quota, overQuota: () => refusal(tenantId, tenantLimits, stored, quota + 1) };
    },

    admission: (tenantId, sizeBytes) => {
      const tenantLimits = limits(tenantId);
      return (usage) => checkFileAdmission(tenantId, tenantLimits, usage, sizeBytes);
    },
  };
}

/**
 * Per-tenant quotas (admission control): the limits a tenant has (the config file's `quotas`
 * section: defaults, then per-tenant overrides), what it uses now, and the checks a create or an
 * upload passes before anything is stored. A refusal is a 429 RESOURCE_EXHAUSTED AppError whose
 * google.rpc.QuotaFailure detail names the limit, its value and the current use.
 */
import { AppError, type QuotaViolation } from './errors.js';

/** A tenant's limits; undefined means unlimited. */
export interface TenantLimits {
  /** Bytes of uploaded files the tenant may store at once (Gemini: 20 GB). */
  storedFileBytes?: number | undefined;
  /** Largest file (Gemini: 2 GB); `--max-upload-bytes` still applies, the smaller wins. */
  largestFileBytes?: number | undefined;
  /** Non-terminal (PENDING or RUNNING) batches at once. */
  activeBatches?: number | undefined;
  /** Estimated tokens of unfinished requests queued per model. */
  enqueuedTokensPerModel?: number | undefined;
  /** Requests in one batch. */
  requestsPerBatch?: number | undefined;
}

/** The quotas of a deployment: limits for every tenant, and overrides by tenant id. */
export interface QuotaConfig {
  default: TenantLimits;
  tenants: Readonly<Record<string, TenantLimits>>;
}

export const DEFAULT_STORED_FILE_BYTES = 20 * 1024 ** 3;
export const DEFAULT_LARGEST_FILE_BYTES = 2 * 1024 ** 3;

/**
 * What applies without a `quotas` section: Gemini's stored-bytes quota, nothing else. The
 * largest-file quota is left to `--max-upload-bytes` (itself DEFAULT_LARGEST_FILE_BYTES by
 * default; see `withLargestFileDefault`), so raising the flag raises it.
 */
export const DEFAULT_QUOTAS: QuotaConfig = {
  default: { storedFileBytes: DEFAULT_STORED_FILE_BYTES },
  tenants: {},
};

/** `quotas` whose default largest file, unless set, is `maxUploadBytes` (the `--max-upload-bytes` flag). */
export function withLargestFileDefault(quotas: QuotaConfig, maxUploadBytes: number): QuotaConfig {
  if (quotas.default.largestFileBytes !== undefined) return quotas;
  return { ...quotas, default: { ...quotas.default, largestFileBytes: maxUploadBytes } };
}

/** The tenant's limits: its overrides on top of the defaults (a field given replaces the default). */
export function limitsFor(quotas: QuotaConfig, tenantId: string): TenantLimits {
  return { ...quotas.default, ...(Object.hasOwn(quotas.tenants, tenantId) ? quotas.tenants[tenantId] : {}) };
}

/** What a tenant uses now. */
export interface TenantUsage {
  /** Sum of the sizes of its uploaded files (generated results files do not count). */
  storedFileBytes: number;
  /** Its PENDING and RUNNING batches (stopping ones included). */
  activeBatches: number;
  /** Per model: the estimated tokens of the requests of its running batches that have no result yet. */
  enqueuedTokensByModel: Record<string, number>;
}

export const NO_USAGE: TenantUsage = { storedFileBytes: 0, activeBatches: 0, enqueuedTokensByModel: {} };

/** The 429 for one exceeded limit. */
export function quotaExceeded(tenantId: string, violation: Omit<QuotaViolation, 'subject'> & { model?: string }): AppError {
  const { model, ...rest } = violation;
  const subject = model === undefined ? `tenant:${tenantId}` : `tenant:${tenantId}/model:${model}`;
  return new AppError('RESOURCE_EXHAUSTED', `Quota exceeded: ${violation.description}`, {
    quotaFailure: [{ subject, ...rest, ...(model === undefined ? {} : { quotaDimensions: { model } }) }],
  });
}

const violation = (quotaId: string, limit: number, use: number, requested: number, description: string): Omit<QuotaViolation, 'subject'> => ({
  description, quotaId, quotaValue: String(limit), currentUsage: String(use), requested: String(requested),
});

/** Refuses a file of `sizeBytes` that is over the largest-file limit. */
export function checkFileSize(tenantId: string, limits: TenantLimits, sizeBytes: number): void {
  const limit = limits.largestFileBytes;
  if (limit !== undefined && sizeBytes > limit) {
    throw quotaExceeded(tenantId, violation('LargestFileBytes', limit, 0, sizeBytes,
      `a file of ${sizeBytes} bytes is larger than the largest file allowed, ${limit} bytes.`));
  }
}

/** Refuses a new file of `sizeBytes` that would take the tenant's stored bytes over its limit. */
export function checkFileAdmission(tenantId: string, limits: TenantLimits, usage: TenantUsage, sizeBytes: number): void {
  checkFileSize(tenantId, limits, sizeBytes);
  const limit = limits.storedFileBytes;
  if (limit !== undefined && usage.storedFileBytes + sizeBytes > limit) {
    throw quotaExceeded(tenantId, violation('StoredFileBytes', limit, usage.storedFileBytes, sizeBytes,
      `storing ${sizeBytes} more bytes would exceed the stored file bytes limit of ${limit}; ${usage.storedFileBytes} are in use.`));
  }
}

/** What a new batch asks for. */
export interface BatchDemand {
  model: string;
  requestCount: number;
  estimatedTokens: number;
}

/** Refuses a batch over the requests-per-batch limit (needs no usage). */
export function checkBatchSize(tenantId: string, limits: TenantLimits, demand: BatchDemand): void {
  const limit = limits.requestsPerBatch;
  if (limit !== undefined && demand.requestCount > limit) {
    throw quotaExceeded(tenantId, violation('RequestsPerBatch', limit, 0, demand.requestCount,
      `a batch of ${demand.requestCount} requests exceeds the requests per batch limit of ${limit}.`));
  }
}

/** Refuses a batch that would exceed the tenant's active-batch or enqueued-token limits. */
export function checkBatchAdmission(tenantId: string, limits: TenantLimits, usage: TenantUsage, demand: BatchDemand): void {
  checkBatchSize(tenantId, limits, demand);
  const batches = limits.activeBatches;
  if (batches !== undefined && usage.activeBatches + 1 > batches) {
    throw quotaExceeded(tenantId, violation('ActiveBatches', batches, usage.activeBatches, 1,
      `the concurrent batches limit of ${batches} is reached; ${usage.activeBatches} batches are pending or running.`));
  }
  const tokens = limits.enqueuedTokensPerModel;
  const queued = usage.enqueuedTokensByModel[demand.model] ?? 0;
  if (tokens !== undefined && queued + demand.estimatedTokens > tokens) {
    throw quotaExceeded(tenantId, {
      ...violation('EnqueuedTokensPerModel', tokens, queued, demand.estimatedTokens,
        `enqueuing about ${demand.estimatedTokens} more tokens for ${demand.model} would exceed the enqueued tokens limit of ${tokens}; ${queued} are enqueued.`),
      model: demand.model,
    });
  }
}

/** Checks a create against usage read inside the store's transaction; throws to refuse. */
export type Admission = (usage: TenantUsage) => void;

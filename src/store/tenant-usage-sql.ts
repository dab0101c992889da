/**
 * What a tenant uses now, as SQL both dialects share (`?` placeholders; PostgreSQL's adapter
 * numbers them): stored bytes of uploaded files, non-terminal batches, and per model the
 * estimated tokens of the requests of its running batches that have no result yet (a batch's
 * estimate times its unfinished share, from its shards' counts). Read for the quota checks and
 * the `GET /v1beta/quota` view.
 */
import type { TenantUsage } from '../core/quota.js';

export const STORED_BYTES_SQL = `SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) AS n FROM files
  WHERE tenant_id = ? AND source = 'UPLOADED'`;

export const ACTIVE_BATCHES_SQL = `SELECT COUNT(*) AS n FROM batches
  WHERE tenant_id = ? AND state IN ('BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING')`;

export const ENQUEUED_TOKENS_SQL = `SELECT b.model AS model, CAST(SUM(
    b.estimated_tokens * (b.request_count - COALESCE(
      (SELECT SUM(s.succeeded_count + s.failed_count) FROM shards s WHERE s.batch_id = b.id), 0)) / b.request_count
  ) AS BIGINT) AS n
  FROM batches b
  WHERE b.tenant_id = ? AND b.state IN ('BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING') AND b.stop_state IS NULL
    AND b.request_count > 0 AND b.estimated_tokens > 0
  GROUP BY b.model`;

/** The three answers as a TenantUsage (models with nothing enqueued left out). */
export function usageFromRows(storedBytes: number, activeBatches: number, tokens: readonly { model: string; n: number }[]): TenantUsage {
  const enqueuedTokensByModel: Record<string, number> = {};
  for (const row of tokens) if (Number(row.n) > 0) enqueuedTokensByModel[row.model] = Number(row.n);
  return { storedFileBytes: Number(storedBytes), activeBatches: Number(activeBatches), enqueuedTokensByModel };
}

/** The parts of the Gemini REST resources the command-line client reads (docs/wire-contract.md). */

export interface FileResource {
  name: string;
  displayName?: string;
  mimeType?: string;
  sizeBytes?: string;
  createTime?: string;
  expirationTime?: string;
  sha256Hash?: string;
  uri?: string;
  state?: string;
  source?: string;
}

export interface BatchStats {
  requestCount?: string;
  successfulRequestCount?: string;
  failedRequestCount?: string;
  pendingRequestCount?: string;
}

/** A batch as `batches.get` returns it: a long-running operation. */
export interface BatchOperation {
  name: string;
  done?: boolean;
  metadata?: {
    name?: string;
    displayName?: string;
    model?: string;
    state?: string;
    createTime?: string;
    updateTime?: string;
    endTime?: string;
    batchStats?: BatchStats;
    output?: { responsesFile?: string; inlinedResponses?: { inlinedResponses?: unknown[] } };
  };
  response?: { responsesFile?: string; inlinedResponses?: { inlinedResponses?: unknown[] } };
  error?: { code?: number; message?: string; status?: string };
}

/** `GET /v1beta/quota` (batchmode extension): the caller's limits (absent = unlimited) and use. */
export interface QuotaView {
  tenantId: string;
  limits: {
    storedFileBytes?: number;
    largestFileBytes?: number;
    activeBatches?: number;
    enqueuedTokensPerModel?: number;
    requestsPerBatch?: number;
  };
  usage: { storedFileBytes: number; activeBatches: number; enqueuedTokensByModel: Record<string, number> };
}

export interface ModelResource {
  name: string;
  displayName?: string;
  description?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods?: string[];
}

/** Terminal states, in either spelling (BATCH_STATE_* is the wire; JOB_STATE_* the SDK's). */
export const TERMINAL_STATES = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED'] as const;

/** The state without its prefix: `BATCH_STATE_RUNNING` → `RUNNING`. */
export function shortState(state: string | undefined): string {
  return (state ?? 'UNKNOWN').replace(/^(BATCH|JOB)_STATE_/, '');
}

export function isTerminalState(state: string | undefined): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(shortState(state));
}

/** Counts as numbers (the wire sends int64 as strings, and omits zeros). */
export function countsOf(operation: BatchOperation): { total: number; succeeded: number; failed: number; pending: number } {
  const stats = operation.metadata?.batchStats ?? {};
  const total = Number(stats.requestCount ?? 0);
  const succeeded = Number(stats.successfulRequestCount ?? 0);
  const failed = Number(stats.failedRequestCount ?? 0);
  const pending = stats.pendingRequestCount === undefined ? Math.max(0, total - succeeded - failed) : Number(stats.pendingRequestCount);
  return { total, succeeded, failed, pending };
}

/** A finished file batch's results file (`files/batch-…`), wherever the wire put it. */
export function responsesFileOf(operation: BatchOperation): string | undefined {
  return operation.response?.responsesFile ?? operation.metadata?.output?.responsesFile;
}

/** A finished inline batch's results, wherever the wire put them. */
export function inlinedResponsesOf(operation: BatchOperation): unknown[] | undefined {
  return operation.response?.inlinedResponses?.inlinedResponses ?? operation.metadata?.output?.inlinedResponses?.inlinedResponses;
}

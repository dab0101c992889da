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
    /** batchmode extension (int64 string): higher runs first; absent = 0. */
    priority?: string;
    /** batchmode extension: tokens used so far (or in all) and, with pricing, the estimated cost. */
    usage?: BatchUsage;
    output?: { responsesFile?: string; inlinedResponses?: { inlinedResponses?: unknown[] } };
  };
  response?: { responsesFile?: string; inlinedResponses?: { inlinedResponses?: unknown[] } };
  error?: { code?: number; message?: string; status?: string };
}

/** batchmode extension in a batch's metadata: token counts (zeros left out) and the estimated cost in USD. */
export interface BatchUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
  estimatedCostUsd?: number;
}

/** Why a batch is not moving (`:progress`'s `pendingReason`). */
export type PendingReason = 'QUEUED' | 'RATE_LIMITED' | 'BACKEND_UNAVAILABLE' | 'NO_WORKERS' | 'STOPPING';

/** `GET /v1beta/batches/{id}:progress` (batchmode extension; src/api/wire/batch-progress-body.ts). Counts are int64 strings. */
export interface BatchProgress {
  name: string;
  state: string;
  requestCount: string;
  successfulRequestCount: string;
  failedRequestCount: string;
  pendingRequestCount: string;
  percentComplete: number;
  /** Requests per second since the batch started (or over the last polls). */
  requestsPerSecond?: number;
  etaSeconds?: number;
  pendingReason?: PendingReason | (string & {});
  /** Active batches with work left that would be claimed before this one (0 once it is finished). */
  queuePosition: number;
  createTime: string;
  startTime?: string;
  updateTime: string;
  /** When the completion window ends. */
  deadline: string;
  modelLimits?: { concurrencyLimit: number; inFlight: number; waiting: number; rateLimitedUntil?: string };
  lastBackendFailure?: { time: string; status: string };
}

/** A `?validateOnly=true` create's answer (batchmode extension), with the counts as numbers. */
export interface BatchValidation {
  model: string;
  requestCount: number;
  estimatedInputTokens: number;
  /** USD, from the server's pricing for the model; absent when it has none. Input only (output is unknown before it runs), batch discount applied. */
  estimatedInputCostUsd?: number;
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

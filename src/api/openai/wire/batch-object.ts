/**
 * BatchView → OpenAI's Batch object. Ids are Google's (`batches/<id>`, `files/<id>`), times Unix
 * seconds (null when not reached or not known), counts plain integers.
 *
 * Status: PENDING/RUNNING → `in_progress`; a pending cancel → `cancelling`; every request done
 * but the results not written yet, or a pending expiry/failure → `finalizing`; then `completed`,
 * `failed`, `expired`, `cancelled`. (`validating` never shows: a file is validated inside the
 * create call.) An OpenAI batch's output file `files/batch-<id>` holds the requests that
 * succeeded and its error file `files/batch-<id>-errors` the rest, each only once terminal and
 * not empty. Native batches are listed too: their endpoint follows their kind, their output
 * file is their native results file (successes and failures), they have no error file, and an
 * inline one has no input file (null).
 *
 * Times are the record's: `in_progress_at` its start, `completed_at` / `failed_at` /
 * `expired_at` / `cancelled_at` its end; `cancelling_at` only while the cancel is pending (the
 * stop request's time is not kept past it), and `finalizing_at` is always null (the engine does
 * not record when the last request of a batch finished).
 */
import { errorFileId, isTerminal, resultsFileId, type BatchRecord } from '../../../core/batch.js';
import type { BatchView } from '../../../batches/index.js';
import { unixSeconds } from './file-object.js';

export type OpenAIBatchStatus = 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

const TERMINAL_STATUS = {
  BATCH_STATE_SUCCEEDED: 'completed',
  BATCH_STATE_FAILED: 'failed',
  BATCH_STATE_EXPIRED: 'expired',
  BATCH_STATE_CANCELLED: 'cancelled',
} as const;

export function statusOf(view: BatchView): OpenAIBatchStatus {
  const { batch } = view;
  if (batch.state in TERMINAL_STATUS) return TERMINAL_STATUS[batch.state as keyof typeof TERMINAL_STATUS];
  if (batch.stopState === 'BATCH_STATE_CANCELLED') return 'cancelling';
  if (batch.stopState !== undefined) return 'finalizing';
  const done = view.succeededCount + view.failedCount;
  return batch.requestCount > 0 && done >= batch.requestCount ? 'finalizing' : 'in_progress';
}

const seconds = (epochMs: number | undefined): number | null => (epochMs === undefined ? null : unixSeconds(epochMs));

/** The end time, under the name of the state it ended in. */
function endTimes(batch: BatchRecord, status: OpenAIBatchStatus): Record<string, number | null> {
  const end = isTerminal(batch.state) ? seconds(batch.endTimeMs ?? batch.updateTimeMs) : null;
  return {
    completed_at: status === 'completed' ? end : null,
    failed_at: status === 'failed' ? end : null,
    expired_at: status === 'expired' ? end : null,
    // A pending stop request's time is the batch's last update; once terminal it is not kept.
    cancelling_at: status === 'cancelling' ? seconds(batch.updateTimeMs) : null,
    cancelled_at: status === 'cancelled' ? end : null,
  };
}

function errorsOf(batch: BatchRecord): Record<string, unknown> | null {
  const lineErrors = batch.openai?.errors;
  if (lineErrors && lineErrors.length > 0) {
    return { object: 'list', data: lineErrors.map(({ code, message, param, line }) => ({ code, message, param, line })) };
  }
  if (batch.state === 'BATCH_STATE_FAILED' && batch.error) {
    const code = (batch.error.status ?? 'failed').toLowerCase();
    return { object: 'list', data: [{ code, message: batch.error.message, param: null, line: null }] };
  }
  return null;
}

function usageOf(view: BatchView): Record<string, unknown> | undefined {
  const usage = view.usage;
  if (!usage || usage.totalTokenCount <= 0) return undefined;
  return {
    input_tokens: usage.promptTokenCount,
    output_tokens: usage.candidatesTokenCount + usage.thoughtsTokenCount,
    total_tokens: usage.totalTokenCount,
    input_tokens_details: { cached_tokens: usage.cachedContentTokenCount },
    output_tokens_details: { reasoning_tokens: usage.thoughtsTokenCount },
  };
}

/** `24h` for a window of whole hours, else seconds (`5400s`): native batches carry no window string. */
function windowOf(batch: BatchRecord): string {
  const ms = batch.deadlineMs - batch.createTimeMs;
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 1000)}s`;
}

function fileIds(view: BatchView): { output_file_id: string | null; error_file_id: string | null } {
  const { batch } = view;
  if (!isTerminal(batch.state)) return { output_file_id: null, error_file_id: null };
  if (batch.openai === undefined) {
    return { output_file_id: batch.outputFileId ? `files/${batch.outputFileId}` : null, error_file_id: null };
  }
  return {
    output_file_id: view.succeededCount > 0 ? `files/${resultsFileId(batch.id)}` : null,
    error_file_id: view.failedCount > 0 ? `files/${errorFileId(batch.id)}` : null,
  };
}

export function toOpenAIBatch(view: BatchView): Record<string, unknown> {
  const { batch } = view;
  const { openai } = batch;
  const status = statusOf(view);
  const usage = usageOf(view);
  const nativeInput = batch.inputFileId === undefined ? null : `files/${batch.inputFileId}`;
  return {
    id: `batches/${batch.id}`,
    object: 'batch',
    endpoint: openai?.endpoint ?? (batch.kind === 'embed' ? '/v1/embeddings' : '/v1/chat/completions'),
    model: batch.model,
    errors: errorsOf(batch),
    input_file_id: openai?.inputFileId ?? nativeInput,
    completion_window: openai?.completionWindow ?? windowOf(batch),
    status,
    ...fileIds(view),
    created_at: unixSeconds(batch.createTimeMs),
    in_progress_at: seconds(batch.startTimeMs),
    expires_at: unixSeconds(batch.deadlineMs),
    finalizing_at: null,
    ...endTimes(batch, status),
    request_counts: { total: batch.requestCount, completed: view.succeededCount, failed: view.failedCount },
    metadata: openai?.metadata ?? null,
    ...(usage ? { usage } : {}),
  };
}

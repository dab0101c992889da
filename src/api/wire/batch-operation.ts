/**
 * A batch on the wire: a google.longrunning.Operation whose `metadata` is the whole batch
 * resource (docs/wire-contract.md, the operation). Results go both in `metadata.output` (what the SDKs read) and in
 * `response` (what REST users and the guide read); inline results are doubly nested
 * (`inlinedResponses.inlinedResponses`). int64 counts are strings and zero values are omitted,
 * as proto3 JSON writes them, so a pending batch has no `done` key at all.
 */
import { isTerminal } from '../../core/batch.js';
import { toTimestamp } from '../../lib/clock.js';
import type { BatchView } from '../../batches/index.js';

const TYPE_PREFIX = 'type.googleapis.com/google.ai.generativelanguage.v1main.';

export interface OperationOptions {
  /** Inline results, when the caller read them (get does; list does not, as on Gemini). */
  inlinedResponses?: unknown[];
  /** `job` spells states JOB_STATE_* (the guide's REST samples expect it); default `batch`. */
  stateNames?: 'batch' | 'job';
}

function batchStats(view: BatchView): Record<string, string> {
  const { requestCount } = view.batch;
  const pending = Math.max(0, requestCount - view.succeededCount - view.failedCount);
  const stats: Record<string, string> = { requestCount: String(requestCount) };
  if (view.succeededCount > 0) stats.successfulRequestCount = String(view.succeededCount);
  if (view.failedCount > 0) stats.failedRequestCount = String(view.failedCount);
  if (pending > 0 && !isTerminal(view.batch.state)) stats.pendingRequestCount = String(pending);
  return stats;
}

/**
 * batchmode extension: tokens summed over the batch's requests and, with pricing configured,
 * the estimated cost with the batch discount. The SDKs ignore fields they do not know.
 */
function usageField(view: BatchView): Record<string, unknown> {
  const usage: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(view.usage ?? {})) if (value) usage[name] = value;
  if (view.estimatedCostUsd !== undefined) usage.estimatedCostUsd = view.estimatedCostUsd;
  return usage;
}

export function toOperation(view: BatchView, options: OperationOptions = {}): Record<string, unknown> {
  const { batch } = view;
  const typeName = batch.kind === 'generate' ? 'GenerateContentBatch' : 'EmbedContentBatch';
  const name = `batches/${batch.id}`;
  let output: Record<string, unknown> | undefined;
  if (batch.outputFileId) output = { responsesFile: `files/${batch.outputFileId}` };
  else if (options.inlinedResponses) output = { inlinedResponses: { inlinedResponses: options.inlinedResponses } };

  const metadata: Record<string, unknown> = {
    '@type': `${TYPE_PREFIX}${typeName}`,
    model: `models/${batch.model}`,
    ...(batch.displayName ? { displayName: batch.displayName } : {}),
    ...(batch.inputFileId ? { inputConfig: { fileName: `files/${batch.inputFileId}` } } : {}),
    ...(output ? { output } : {}),
    createTime: toTimestamp(batch.createTimeMs),
    ...(batch.endTimeMs !== undefined && isTerminal(batch.state) ? { endTime: toTimestamp(batch.endTimeMs) } : {}),
    updateTime: toTimestamp(batch.updateTimeMs),
    batchStats: batchStats(view),
    state: options.stateNames === 'job' ? batch.state.replace('BATCH_STATE_', 'JOB_STATE_') : batch.state,
    name,
    ...(batch.priority !== 0 ? { priority: String(batch.priority) } : {}),
    ...(batch.webhookConfig !== undefined ? { webhookConfig: batch.webhookConfig } : {}),
    ...(view.usage && view.usage.totalTokenCount > 0 ? { usage: usageField(view) } : {}),
  };
  return {
    name,
    metadata,
    ...(isTerminal(batch.state) ? { done: true } : {}),
    ...(batch.error ? { error: batch.error } : {}),
    ...(output ? { response: { '@type': `${TYPE_PREFIX}${typeName}Output`, ...output } } : {}),
  };
}

/**
 * The bare batch resource (GenerateContentBatch / EmbedContentBatch), as the update methods
 * answer: the Operation's metadata without its `@type`.
 */
export function toBatchResource(view: BatchView, options: OperationOptions = {}): Record<string, unknown> {
  const { '@type': _type, ...resource } = toOperation(view, options).metadata as Record<string, unknown>;
  return resource;
}

/**
 * Batch creation on the OpenAI-compatible surface (`POST /v1/batches`): an uploaded JSONL file of
 * `{custom_id, method, url, body}` lines for one endpoint becomes an ordinary batch of native
 * lines on the one engine (kind `generate` for `/v1/chat/completions`, `embed` for
 * `/v1/embeddings`), so progress, live results, webhooks, limits and cancel work as for any
 * batch. What only OpenAI's API has is kept in the record's `openai` fields (endpoint, window as
 * sent, metadata, the input file as named); the display name is `metadata.description`.
 *
 * A file whose lines are bad (openai-input-plan.ts) does not make the create fail, as on OpenAI:
 * it makes a batch that is FAILED from the start, with no requests, no shards and no results,
 * its line errors (1-based `line`, up to 100) in `openai.errors` and an INVALID_ARGUMENT error
 * naming the first; the store queues its `batch.failed` webhook event with it. An empty file is
 * such a batch too (`empty_file`). The create itself throws only for a missing, foreign or
 * expired input file (PERMISSION_DENIED, as the native create) and an Idempotency-Key reused for
 * a different request (ALREADY_EXISTS); a retry with the same key gets the first batch.
 */
import { BATCH_ID_LENGTH, type BatchRecord } from '../core/batch.js';
import { batchInputKey, batchPrefix } from '../core/blob-keys.js';
import { permissionDenied } from '../core/errors.js';
import { fileAccessDeniedMessage } from '../core/file.js';
import type { OpenAIEndpoint } from '../openai-compat/index.js';
import { hashOfRequest, replayOf } from './idempotent-create.js';
import { reportCreated } from './created-events.js';
import { kindOfEndpoint, planOpenAIInput, type OpenAIInputPlan } from './openai-input-plan.js';
import type { SubmitDeps } from './submit-batch.js';
import { createAdmitted } from './admitted-create.js';
import { checkBatchSize, DEFAULT_QUOTAS, limitsFor } from '../core/quota.js';

export interface SubmitOpenAIBatchInput {
  tenantId: string;
  /** The input file's id without `files/`. */
  fileId: string;
  /** As the client sent it, echoed as input_file_id. */
  inputFileId: string;
  endpoint: OpenAIEndpoint;
  /** As the client sent it (e.g. `24h`), echoed as completion_window. */
  completionWindow: string;
  completionWindowMs: number;
  metadata: Record<string, string> | undefined;
  idempotencyKey?: string | undefined;
}

export function createOpenAIBatchSubmitter(deps: SubmitDeps): (input: SubmitOpenAIBatchInput) => Promise<BatchRecord> {
  const { store, blobs, clock } = deps;

  return async (input) => {
    const requestHash = hashOfRequest(input);
    if (input.idempotencyKey !== undefined) {
      const earlier = replayOf(await store.batches.findByIdempotencyKey(input.tenantId, input.idempotencyKey), requestHash);
      if (earlier) return earlier;
    }
    const file = await store.files.get(input.tenantId, input.fileId);
    if (!file || file.expirationTimeMs <= clock.now()) throw permissionDenied(fileAccessDeniedMessage(input.fileId));

    const batchId = deps.randomId(BATCH_ID_LENGTH);
    const key = batchInputKey(batchId);
    let plan: OpenAIInputPlan;
    try {
      plan = await planOpenAIInput(blobs, deps.registry, { batchId, endpoint: input.endpoint, sourceKey: file.blobKey, targetKey: key, shardSize: deps.shardSize });
    } catch (error) {
      await blobs.deletePrefix(batchPrefix(batchId));
      throw error;
    }
    const failed = plan.errors.count > 0;
    // A failed batch keeps nothing of its input.
    if (failed) await blobs.deletePrefix(batchPrefix(batchId));
    const limits = limitsFor(deps.quotas ?? DEFAULT_QUOTAS, input.tenantId);
    const estimatedTokens = failed ? 0 : plan.planner.estimatedTokens;
    if (!failed) {
      try {
        checkBatchSize(input.tenantId, limits, { model: plan.model, requestCount: plan.planner.requestCount, estimatedTokens });
      } catch (error) {
        await blobs.deletePrefix(batchPrefix(batchId));
        throw error;
      }
    }

    const now = clock.now();
    const batch: BatchRecord = {
      id: batchId, tenantId: input.tenantId, kind: kindOfEndpoint(input.endpoint), model: plan.model,
      displayName: input.metadata?.description ?? '', state: failed ? 'BATCH_STATE_FAILED' : 'BATCH_STATE_PENDING', priority: failed ? 0 : plan.priority,
      inputKind: 'file', inputFileId: input.fileId, inputBlobKey: key, requestCount: failed ? 0 : plan.planner.requestCount,
      succeededCount: 0, failedCount: 0, resultsBlobKey: undefined, outputFileId: undefined, webhookConfig: undefined,
      error: failed ? plan.errors.toStatus() : undefined, createTimeMs: now, updateTimeMs: now, startTimeMs: undefined,
      endTimeMs: failed ? now : undefined, deadlineMs: now + input.completionWindowMs,
      idempotencyKey: input.idempotencyKey, requestHash, usage: undefined,
      openai: {
        endpoint: input.endpoint, completionWindow: input.completionWindow, metadata: input.metadata,
        inputFileId: input.inputFileId, errors: failed ? plan.errors.sorted() : undefined,
      },
      ...(estimatedTokens > 0 ? { estimatedTokens } : {}),
    };
    const result = await createAdmitted(deps, batch, failed ? [] : plan.planner.shards, limits);
    if (!result.created) {
      // Another create with the same key won the race: this one's input copy is not needed.
      await blobs.deletePrefix(batchPrefix(batchId));
      return replayOf(result.batch, requestHash) ?? result.batch;
    }
    reportCreated(deps.events, batch, 'openai');
    return batch;
  };
}

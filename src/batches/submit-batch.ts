/**
 * Batch creation. The whole input is validated before anything is queued, as Gemini does:
 * every line of a file is parsed and checked, keys must be unique, and a bad file is refused
 * with one 400 listing `Error on line N: …`. A file batch takes its own snapshot of the input
 * (files may be deleted while it runs); an inline batch's requests are written out as JSONL
 * in the same form. Caches the requests name are resolved per line and frozen with the batch
 * (batch-caches.ts). A file's lines are checked by plan-input-file.ts, on worker threads when
 * the file is large, so the event loop stays free. The batch and all its shards are then
 * created in one transaction.
 * `validate` (the `?validateOnly=true` dry run) runs the same checks and creates nothing: a
 * file is read in place, not copied, inline requests are not written, and no cache is frozen.
 */
import { PassThrough } from 'node:stream';
import { BATCH_ID_LENGTH, type BatchKind, type BatchRecord } from '../core/batch.js';
import { batchInputKey, batchPrefix } from '../core/blob-keys.js';
import { invalidArgument, modelNotFound, permissionDenied } from '../core/errors.js';
import { fileAccessDeniedMessage } from '../core/file.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { hashOfRequest, replayOf } from './idempotent-create.js';
import { reportCreated } from './created-events.js';
import type { EngineEvents } from '../core/engine-events.js';
import { InputPlanner, MAX_LINE_ERRORS, planInputFile, type LineCheckOptions } from './plan-input-file.js';
import { createAdmitted } from './admitted-create.js';
import { checkBatchAdmission, checkBatchSize, DEFAULT_QUOTAS, limitsFor, type QuotaConfig, type TenantLimits } from '../core/quota.js';
import { estimateCallTokens, estimatePromptTokens } from '../core/token-estimate.js';
import { emptyUsage, estimateCost } from '../core/usage.js';
import { ServiceTierTally } from '../core/service-tier.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';
import { createCacheCollector, type CacheCollector } from './batch-caches.js';

export interface SubmitDeps {
  store: Store;
  blobs: BlobStore;
  registry: BackendRegistry;
  clock: Clock;
  randomId: IdGenerator;
  /** Requests per shard. */
  shardSize: number;
  /** Default completion window; past it a batch expires. */
  completionWindowMs: number;
  /** Told of each batch created (metrics, the operator's log). */
  events?: EngineEvents;
  /** Per-tenant batch quotas (batches, enqueued tokens per model, requests per batch); default none. */
  quotas?: QuotaConfig;
  /** Where a file's lines are checked: on threads from 1 MiB (plan-input-file.ts); tests lower the threshold. */
  lineChecks?: LineCheckOptions;
}

export type BatchSource = { kind: 'file'; fileId: string } | { kind: 'inline'; requests: readonly unknown[] };

export interface SubmitBatchInput {
  tenantId: string;
  kind: BatchKind;
  /** Model id without `models/`. */
  model: string;
  displayName: string;
  /** Higher runs first; when left out, the service tier the requests share (core/service-tier.ts), else 0. */
  priority?: number | undefined;
  webhookConfig: unknown;
  source: BatchSource;
  /** Overrides the server's completion window for this batch. */
  completionWindowMs?: number | undefined;
  /** The client's Idempotency-Key: a retry with the same key gets the same batch. */
  idempotencyKey?: string | undefined;
}

/** What a dry-run create (`validate`) found: the batch that would be created. */
export interface BatchEstimate {
  /** The model id the name resolved to, without `models/`. */
  model: string;
  requestCount: number;
  /** Estimated input tokens (core/token-estimate.ts), the prefixes of named caches included. */
  estimatedInputTokens: number;
  /** The input's cost in USD at the route's pricing, batch discount applied; absent without pricing. */
  estimatedInputCostUsd?: number;
}

/** Creates a batch; `validate` checks a create as it would run and creates nothing. */
export interface BatchSubmitter {
  (input: SubmitBatchInput): Promise<BatchRecord>;
  validate(input: SubmitBatchInput): Promise<BatchEstimate>;
}

/** A request's token estimates: what the call may cost (quota), and its input alone (the dry run's estimate). */
interface RequestTokens { call: number; input: number }

export function createBatchSubmitter(deps: SubmitDeps): BatchSubmitter {
  const { store, blobs, clock } = deps;

  /** The tokens of a request, its cache's prefix included (the cache is resolved, or the line fails). */
  const tokensOf = async (request: Parameters<typeof estimateCallTokens>[0], kind: BatchKind, caches: CacheCollector): Promise<RequestTokens> => {
    const cached = kind === 'generate' ? await caches.use(request as GenerateContentRequest) : 0;
    const input = kind === 'generate' ? estimatePromptTokens(request as GenerateContentRequest) : estimateCallTokens(request);
    return { call: estimateCallTokens(request) + cached, input: input + cached };
  };

  /** Parses inline requests and writes them out as JSONL to `key`; a dry run (no key) only plans. */
  const writeInline = async (
    batchId: string, kind: BatchKind, requests: readonly unknown[], key: string | undefined, tiers: ServiceTierTally, caches: CacheCollector,
  ): Promise<InputPlanner> => {
    const planner = new InputPlanner(batchId, deps.shardSize);
    const lines: string[] = [];
    const tokens: RequestTokens[] = [];
    const errors: string[] = [];
    for (const [index, item] of requests.entries()) {
      try {
        const parsed = parseBatchLine(JSON.stringify(item), kind);
        tokens.push(await tokensOf(parsed.request, kind, caches));
        lines.push(JSON.stringify(parsed.metadata === undefined ? { request: parsed.request } : { request: parsed.request, metadata: parsed.metadata }));
        tiers.add(parsed.request.serviceTier);
      } catch (error) {
        if (errors.length < MAX_LINE_ERRORS) {
          const message = error instanceof Error ? error.message : String(error);
          errors.push(`Invalid request at 'batch.inputConfig.requests.requests[${index}]': ${message}`);
        }
      }
    }
    if (errors.length > 0) throw invalidArgument(errors.join('\n'));
    const sink = key === undefined ? undefined : new PassThrough();
    const written = sink && key !== undefined ? blobs.append(key, sink) : Promise.resolve();
    let offset = 0;
    for (const [index, line] of lines.entries()) {
      const bytes = Buffer.byteLength(line) + 1;
      planner.add(offset, offset + bytes, tokens[index]?.call);
      planner.inputTokens += tokens[index]?.input ?? 0;
      offset += bytes;
      sink?.write(`${line}\n`);
    }
    sink?.end();
    await written;
    return planner;
  };

  /**
   * Everything a create checks before it stores the batch: the model serves the method, the
   * file may be read, every request parses, keys are unique, caches resolve, the batch has
   * requests and fits the requests-per-batch quota. A create copies a file to `inputKey` and
   * plans the copy (and writes inline requests there); a dry run (`inputKey` undefined) reads
   * the file in place and writes nothing.
   */
  const check = async (input: SubmitBatchInput, batchId: string, inputKey: string | undefined) => {
    const resolved = deps.registry.resolve(input.model);
    if (!resolved) {
      throw modelNotFound(input.model, methodOf(input.kind));
    }
    if (!resolved.info.supportedGenerationMethods.includes(methodOf(input.kind))) {
      throw invalidArgument(`models/${input.model} does not support ${methodOf(input.kind)}.`);
    }
    const limits = limitsFor(deps.quotas ?? DEFAULT_QUOTAS, input.tenantId);
    const tiers = new ServiceTierTally();
    const caches = createCacheCollector(store, input.tenantId, resolved.id, clock.now());
    let planner: InputPlanner;
    if (input.source.kind === 'file') {
      const file = await store.files.get(input.tenantId, input.source.fileId);
      if (!file || file.expirationTimeMs <= clock.now()) {
        throw permissionDenied(fileAccessDeniedMessage(input.source.fileId));
      }
      if (inputKey !== undefined) await blobs.copy(file.blobKey, inputKey);
      planner = new InputPlanner(batchId, deps.shardSize);
      await planInputFile({
        blobs, key: inputKey ?? file.blobKey, sizeBytes: file.sizeBytes, kind: input.kind, planner, tiers, caches, options: deps.lineChecks,
      });
    } else {
      planner = await writeInline(batchId, input.kind, input.source.requests, inputKey, tiers, caches);
    }
    if (planner.requestCount === 0) throw invalidArgument('The batch has no requests: the input is empty.');
    checkBatchSize(input.tenantId, limits, { model: resolved.id, requestCount: planner.requestCount, estimatedTokens: planner.estimatedTokens });
    return { resolved, limits, tiers, caches, planner };
  };

  const submit = async (input: SubmitBatchInput): Promise<BatchRecord> => {
    const requestHash = hashOfRequest(input);
    if (input.idempotencyKey !== undefined) {
      const earlier = replayOf(await store.batches.findByIdempotencyKey(input.tenantId, input.idempotencyKey), requestHash);
      if (earlier) return earlier;
    }
    const batchId = deps.randomId(BATCH_ID_LENGTH);
    const key = batchInputKey(batchId);
    let checked: Awaited<ReturnType<typeof check>>;
    try {
      checked = await check(input, batchId, key);
      await checked.caches.save(blobs, batchId);
    } catch (error) {
      await blobs.deletePrefix(batchPrefix(batchId));
      throw error;
    }
    const { resolved, limits, tiers, planner } = checked;
    const now = clock.now();
    const batch: BatchRecord = {
      id: batchId, tenantId: input.tenantId, kind: input.kind, model: resolved.id, displayName: input.displayName,
      state: 'BATCH_STATE_PENDING', priority: input.priority ?? tiers.priority, inputKind: input.source.kind,
      inputFileId: input.source.kind === 'file' ? input.source.fileId : undefined, inputBlobKey: key,
      requestCount: planner.requestCount, succeededCount: 0, failedCount: 0, resultsBlobKey: undefined,
      outputFileId: undefined, webhookConfig: input.webhookConfig, error: undefined, createTimeMs: now,
      updateTimeMs: now, startTimeMs: undefined, endTimeMs: undefined,
      deadlineMs: now + (input.completionWindowMs ?? deps.completionWindowMs),
      idempotencyKey: input.idempotencyKey, requestHash,
      ...(planner.estimatedTokens > 0 ? { estimatedTokens: planner.estimatedTokens } : {}),
    };
    const result = await createAdmitted(deps, batch, planner.shards, limits);
    if (!result.created) {
      // Another create with the same key won the race: this one's input copy is not needed.
      await blobs.deletePrefix(batchPrefix(batchId));
      return replayOf(result.batch, requestHash) ?? result.batch;
    }
    reportCreated(deps.events, batch, 'native');
    return batch;
  };

  /**
   * The dry run: the same checks, and the enqueued-token quota against what the tenant has
   * queued now (the active-batch count is not checked: it says nothing about this input).
   */
  const validate = async (input: SubmitBatchInput): Promise<BatchEstimate> => {
    const { resolved, limits, planner } = await check(input, 'validate-only', undefined);
    if (limits.enqueuedTokensPerModel !== undefined) {
      const dryLimits: TenantLimits = { ...limits, activeBatches: undefined };
      checkBatchAdmission(input.tenantId, dryLimits, await store.quotaUsage.usage(input.tenantId),
        { model: resolved.id, requestCount: planner.requestCount, estimatedTokens: planner.estimatedTokens });
    }
    const estimate: BatchEstimate = { model: resolved.id, requestCount: planner.requestCount, estimatedInputTokens: planner.inputTokens };
    if (resolved.pricing) {
      estimate.estimatedInputCostUsd = estimateCost({ ...emptyUsage(), promptTokenCount: planner.inputTokens }, resolved.pricing);
    }
    return estimate;
  };

  return Object.assign(submit, { validate });
}

/** The method a model must support to run a batch of this kind. */
export const methodOf = (kind: BatchKind): string => (kind === 'generate' ? 'batchGenerateContent' : 'asyncBatchEmbedContent');

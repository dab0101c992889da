/**
 * The queue's public entry for the API: create, read, list, cancel and delete batches, and read
 * a finished batch's results. Everything is scoped to a tenant: another tenant's batch is
 * indistinguishable from a missing one.
 */
import type { Readable } from 'node:stream';
import { isTerminal, type BatchRecord } from '../core/batch.js';
import { batchInputKey, shardLogsPrefix } from '../core/blob-keys.js';
import type { EngineEvents } from '../core/engine-events.js';
import { AppError, failedPrecondition, invalidArgument } from '../core/errors.js';
import { estimateCost, type Pricing, type TokenUsage } from '../core/usage.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { BatchProgress, BatchUpdate, ListCursor, Store } from '../store/store.js';
import { describeProgress, type BatchProgressView, type WorkerStatus } from './batch-progress.js';
import { streamResults } from './live-results.js';
import type { BatchEstimate, SubmitBatchInput } from './submit-batch.js';
import type { SubmitOpenAIBatchInput } from './submit-openai-batch.js';

/** A batch with its live counts. */
export interface BatchView {
  batch: BatchRecord;
  succeededCount: number;
  failedCount: number;
  /** Tokens used so far (or in all, once finished). */
  usage?: TokenUsage | undefined;
  /** Estimated cost in USD with the batch discount, when the model has pricing. */
  estimatedCostUsd?: number | undefined;
  /** A finished inline batch's results, one object per request in input order (getWithResults only). */
  inlinedResponses?: unknown[] | undefined;
}

export interface BatchPage {
  batches: BatchView[];
  next?: ListCursor;
}

export interface BatchService {
  create(input: SubmitBatchInput): Promise<BatchView>;
  /** A dry-run create (`?validateOnly=true`): the create's checks, nothing created; refuses as the create would. */
  validate(input: SubmitBatchInput): Promise<BatchEstimate>;
  /**
   * Creates a batch from an OpenAI batch input file (submit-openai-batch.ts). Bad lines do not
   * throw: they make a batch that is FAILED from the start, with `openai.errors`.
   */
  createOpenAI(input: SubmitOpenAIBatchInput): Promise<BatchView>;
  get(tenantId: string, id: string): Promise<BatchView>;
  /** `get`, plus the results of a finished inline batch (they go inside its Operation). */
  getWithResults(tenantId: string, id: string): Promise<BatchView>;
  list(tenantId: string, pageSize: number, after?: ListCursor): Promise<BatchPage>;
  /** Stops the batch: no new requests start, in-flight ones are aborted, finished results are kept. */
  cancel(tenantId: string, id: string): Promise<void>;
  /**
   * Sets the batch's priority and/or display name (`:updateGenerateContentBatch`). A new
   * priority orders every shard not claimed yet; `kind` must match the batch's.
   */
  update(tenantId: string, id: string, kind: BatchRecord['kind'], fields: BatchUpdate): Promise<BatchView>;
  /** Cancels the batch if it runs, then removes it (its results file, if any, stays until it expires). */
  delete(tenantId: string, id: string): Promise<void>;
  /** The results, one JSON line each, in input order (finished batches only). */
  openResults(batch: BatchRecord): Promise<Readable>;
  /** Results finished so far (and, with `follow`, the rest as they land): see live-results.ts. */
  streamResults(tenantId: string, id: string, options: { follow: boolean; signal: AbortSignal }): Promise<AsyncIterable<Buffer>>;
  /** Counts, throughput, ETA and why a batch is not moving. */
  progress(tenantId: string, id: string): Promise<BatchProgressView>;
}

export interface BatchServiceDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  /** The submitter (submit-batch.ts); without `validate`, dry runs are refused as unimplemented. */
  submit: ((input: SubmitBatchInput) => Promise<BatchRecord>) & { validate?: (input: SubmitBatchInput) => Promise<BatchEstimate> };
  submitOpenAI: (input: SubmitOpenAIBatchInput) => Promise<BatchRecord>;
  /**
   * This process's workers: new work, a batch to abort, a batch whose results are due (the
   * finalization runs once per batch per process; the store arbitrates between processes).
   */
  notify: { wake(): void; abortBatch(batchId: string): void; finalize(batchId: string): Promise<unknown> };
  /** The pricing of a model, if configured (for cost estimates). */
  pricingOf?: (model: string) => Pricing | undefined;
  /** This process's workers, if it runs any (for progress views). */
  workers?: WorkerStatus;
  /** Whether any worker process (this one or another) is alive, from the heartbeats. */
  anyWorkerAlive?: () => Promise<boolean>;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * How long `cancel` waits for the batch's results to be written before it answers (default
   * 10 s), so that a client reading the batch right after a cancel sees it CANCELLED, with its
   * counts and output. A batch a dead worker still holds a lease on may take longer; it is then
   * reported RUNNING until its results exist.
   */
  stopWaitMs?: number;
  logger?: Pick<Logger, 'warn'>;
  /** Told of each cancel recorded (metrics, the operator's log). */
  events?: Pick<EngineEvents, 'batchStopRequested'>;
}

/** How often `cancel` looks whether the workers let go of a stopped batch. */
const STOP_POLL_MS = 20;
/** Progress samples kept per batch to compute a recent rate. */
const RATE_WINDOW_MS = 10_000;

export const batchNotFound = (id: string): AppError => new AppError('NOT_FOUND', `Batch batches/${id} was not found.`);

function counts(batch: BatchRecord, progress: BatchProgress | undefined): Pick<BatchView, 'batch' | 'succeededCount' | 'failedCount' | 'usage'> {
  if (batch.resultsBlobKey !== undefined || !progress) {
    return { batch, succeededCount: batch.succeededCount, failedCount: batch.failedCount, usage: batch.usage };
  }
  return { batch, succeededCount: progress.succeededCount, failedCount: progress.failedCount, usage: progress.usage };
}

export function createBatchService(deps: BatchServiceDeps): BatchService {
  const { store, blobs, clock } = deps;
  const samples = new Map<string, { atMs: number; done: number }[]>();
  const view = (batch: BatchRecord, progress: BatchProgress | undefined): BatchView => {
    const result: BatchView = counts(batch, progress);
    const pricing = deps.pricingOf?.(batch.model);
    if (pricing && result.usage) result.estimatedCostUsd = estimateCost(result.usage, pricing);
    return result;
  };

  const load = async (tenantId: string, id: string): Promise<BatchRecord> => {
    const batch = await store.batches.get(tenantId, id);
    if (!batch) throw batchNotFound(id);
    return batch;
  };

  const stop = async (batch: BatchRecord, reason: string): Promise<boolean> => {
    const moved = await store.batches.requestStop(batch.id, 'BATCH_STATE_CANCELLED', clock.now());
    if (moved) {
      deps.notify.abortBatch(batch.id);
      deps.events?.batchStopRequested({ tenantId: batch.tenantId, batchId: batch.id, model: batch.model, stopState: 'BATCH_STATE_CANCELLED', reason });
    }
    return moved;
  };

  /**
   * Waits (bounded) until a stopped batch's results are written: as soon as no live lease is
   * held on its shards (the workers saw the stop and gave them back), finalizes it here. A
   * failure is left to the workers' sweep, which retries; the stop itself is already durable.
   */
  const settle = async (batchId: string): Promise<void> => {
    const until = clock.now() + (deps.stopWaitMs ?? 10_000);
    const signal = new AbortController().signal;
    try {
      while (clock.now() < until) {
        const current = await store.batches.getById(batchId);
        if (!current || current.resultsBlobKey !== undefined) return;
        if (!(await store.shards.hasLiveLease(batchId, clock.now()))) {
          await deps.notify.finalize(batchId);
          return;
        }
        await deps.sleep(STOP_POLL_MS, signal);
      }
    } catch (error) {
      deps.logger?.warn('results of a stopped batch not written yet; the workers will retry', { batch: batchId, error });
    }
  };

  const get = async (tenantId: string, id: string): Promise<BatchView> => {
    const batch = await load(tenantId, id);
    return view(batch, (await store.batches.progress([id])).get(id));
  };

  return {
    async create(input) {
      const batch = await deps.submit(input);
      deps.notify.wake();
      return view(batch, undefined);
    },

    async validate(input) {
      if (!deps.submit.validate) throw new AppError('UNIMPLEMENTED', 'validateOnly is not supported by this server.');
      return deps.submit.validate(input);
    },

    async createOpenAI(input) {
      const batch = await deps.submitOpenAI(input);
      if (!isTerminal(batch.state)) deps.notify.wake();
      return view(batch, undefined);
    },

    get,

    async getWithResults(tenantId, id) {
      const current = await get(tenantId, id);
      const { inputKind, resultsBlobKey } = current.batch;
      if (inputKind !== 'inline' || resultsBlobKey === undefined) return current;
      return { ...current, inlinedResponses: await readResultObjects(await blobs.read(resultsBlobKey)) };
    },

    async list(tenantId, pageSize, after) {
      const rows = await store.batches.list(tenantId, { limit: pageSize + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, pageSize);
      const progress = await store.batches.progress(page.filter((batch) => batch.resultsBlobKey === undefined).map((batch) => batch.id));
      const last = page[page.length - 1];
      return {
        batches: page.map((batch) => view(batch, progress.get(batch.id))),
        ...(rows.length > pageSize && last ? { next: { createTimeMs: last.createTimeMs, id: last.id } } : {}),
      };
    },

    async cancel(tenantId, id) {
      const batch = await load(tenantId, id);
      const cancelled = (record: BatchRecord): boolean =>
        record.state === 'BATCH_STATE_CANCELLED' || record.stopState === 'BATCH_STATE_CANCELLED';
      if (!cancelled(batch) && (isTerminal(batch.state) || batch.stopState || !(await stop(batch, 'cancelled by the client')))) {
        const current = (await store.batches.get(tenantId, id)) ?? batch;
        if (!cancelled(current)) {
          const state = current.stopState ? `${current.stopState.replace('BATCH_STATE_', '').toLowerCase()} already` : current.state;
          throw failedPrecondition(`Batch batches/${id} is ${state} and can no longer be cancelled.`);
        }
      }
      if (batch.resultsBlobKey === undefined) await settle(id);
    },

    async update(tenantId, id, kind, fields) {
      const batch = await load(tenantId, id);
      if (batch.kind !== kind) {
        const verb = batch.kind === 'generate' ? 'updateGenerateContentBatch' : 'updateEmbedContentBatch';
        throw invalidArgument(`Batch batches/${id} is ${batch.kind === 'generate' ? 'a generateContent' : 'an embedContent'} batch; update it with :${verb}.`);
      }
      const updated = await store.batches.update(tenantId, id, fields, clock.now());
      if (!updated) throw batchNotFound(id);
      // Idle workers look again at once: the new order applies to their next claim.
      if (fields.priority !== undefined) deps.notify.wake();
      return view(updated, (await store.batches.progress([id])).get(id));
    },

    async delete(tenantId, id) {
      const batch = await load(tenantId, id);
      if (!isTerminal(batch.state)) await stop(batch, 'deleted by the client');
      const removed = await store.batches.delete(tenantId, id);
      if (!removed) throw batchNotFound(id);
      await blobs.delete(batchInputKey(id));
      await blobs.deletePrefix(shardLogsPrefix(id));
      // A file batch's results live on as files/batch-<id>; an inline batch's go with it.
      if (batch.inputKind === 'inline' && batch.resultsBlobKey) await blobs.delete(batch.resultsBlobKey);
    },

    async streamResults(tenantId, id, options) {
      const batch = await load(tenantId, id);
      return streamResults({ store, blobs, sleep: deps.sleep, pollMs: 250 }, batch, options);
    },

    async progress(tenantId, id) {
      const batch = await load(tenantId, id);
      const current = view(batch, (await store.batches.progress([id])).get(id));
      const now = clock.now();
      const done = current.succeededCount + current.failedCount;
      const history = (samples.get(id) ?? []).filter((sample) => now - sample.atMs <= RATE_WINDOW_MS);
      history.push({ atMs: now, done });
      samples.set(id, history);
      // Forget batches nobody polls any more (bounded memory for a long-running server).
      if (samples.size > 10_000) for (const [key, kept] of samples) if (now - (kept.at(-1)?.atMs ?? 0) > RATE_WINDOW_MS) samples.delete(key);
      const oldest = history[0];
      const recentRate = oldest && now - oldest.atMs >= 1000 ? ((done - oldest.done) * 1000) / (now - oldest.atMs) : undefined;
      if (isTerminal(batch.state)) samples.delete(id);
      return describeProgress({
        batch, succeededCount: current.succeededCount, failedCount: current.failedCount,
        queuePosition: isTerminal(batch.state) ? 0 : await store.batches.queuePosition(batch),
        workers: deps.workers, clock, recentRate,
        workersAlive: deps.anyWorkerAlive && !isTerminal(batch.state) ? await deps.anyWorkerAlive() : undefined,
      });
    },

    async openResults(batch) {
      if (!batch.resultsBlobKey) {
        // An OpenAI batch whose input failed validation ends FAILED with no results at all.
        const why = isTerminal(batch.state) ? `ended ${batch.state.replace('BATCH_STATE_', '')} without results` : 'has no results yet';
        throw failedPrecondition(`Batch batches/${batch.id} ${why}.`);
      }
      return blobs.read(batch.resultsBlobKey);
    },
  };
}

/** Parses a results blob into objects (inline batches: at most ~20 MB of input, so bounded). */
async function readResultObjects(results: Readable): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const line of readLines(results)) {
    if (line.bytes.length > 0) items.push(JSON.parse(line.bytes.toString('utf8')) as unknown);
  }
  return items;
}

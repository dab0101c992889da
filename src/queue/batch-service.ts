/**
 * The queue's public entry for the API: create, read, list, cancel and delete batches, and read
 * a finished batch's results. Everything is scoped to a tenant: another tenant's batch is
 * indistinguishable from a missing one.
 */
import type { Readable } from 'node:stream';
import { isTerminal, type BatchRecord } from '../core/batch.js';
import { AppError, failedPrecondition } from '../core/errors.js';
import { estimateCost, type Pricing, type TokenUsage } from '../core/usage.js';
import type { Clock } from '../lib/clock.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { BatchProgress, ListCursor, Store } from '../store/store.js';
import { describeProgress, type BatchProgressView, type WorkerStatus } from './batch-progress.js';
import { streamResults } from './live-results.js';
import { inputBlobKey, type SubmitBatchInput } from './submit-batch.js';

/** A batch with its live counts. */
export interface BatchView {
  batch: BatchRecord;
  succeededCount: number;
  failedCount: number;
  /** Tokens used so far (or in all, once finished). */
  usage?: TokenUsage | undefined;
  /** Estimated cost in USD with the batch discount, when the model has pricing. */
  estimatedCostUsd?: number | undefined;
}

export interface BatchPage {
  batches: BatchView[];
  next?: ListCursor;
}

export interface BatchService {
  create(input: SubmitBatchInput): Promise<BatchView>;
  get(tenantId: string, id: string): Promise<BatchView>;
  list(tenantId: string, pageSize: number, after?: ListCursor): Promise<BatchPage>;
  /** Stops the batch: no new requests start, in-flight ones are aborted, finished results are kept. */
  cancel(tenantId: string, id: string): Promise<void>;
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
  submit: (input: SubmitBatchInput) => Promise<BatchRecord>;
  /** Tells the workers of this process: new work, or a batch to abort. */
  notify: { wake(): void; abortBatch(batchId: string): void };
  /** The pricing of a model, if configured (for cost estimates). */
  pricingOf?: (model: string) => Pricing | undefined;
  /** This process's workers, if it runs any (for progress views). */
  workers?: WorkerStatus;
  /** Whether any worker process (this one or another) is alive, from the heartbeats. */
  anyWorkerAlive?: () => Promise<boolean>;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Progress samples kept per batch to compute a recent rate. */
const RATE_WINDOW_MS = 10_000;

export const batchNotFound = (id: string): AppError => new AppError('NOT_FOUND', `Batch batches/${id} was not found.`);

function counts(batch: BatchRecord, progress: BatchProgress | undefined): Omit<BatchView, 'estimatedCostUsd'> {
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

  const stop = async (batch: BatchRecord): Promise<boolean> => {
    const now = clock.now();
    const moved = await store.batches.transition(batch.id, ['BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING'], 'BATCH_STATE_CANCELLED', now, { endTimeMs: now });
    if (moved) deps.notify.abortBatch(batch.id);
    return moved;
  };

  return {
    async create(input) {
      const batch = await deps.submit(input);
      deps.notify.wake();
      return view(batch, undefined);
    },

    async get(tenantId, id) {
      const batch = await load(tenantId, id);
      return view(batch, (await store.batches.progress([id])).get(id));
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
      if (batch.state === 'BATCH_STATE_CANCELLED') return;
      if (isTerminal(batch.state) || !(await stop(batch))) {
        const current = (await store.batches.get(tenantId, id))?.state ?? batch.state;
        if (current !== 'BATCH_STATE_CANCELLED') throw failedPrecondition(`Batch batches/${id} is ${current} and can no longer be cancelled.`);
      }
    },

    async delete(tenantId, id) {
      const batch = await load(tenantId, id);
      if (!isTerminal(batch.state)) await stop(batch);
      const removed = await store.batches.delete(tenantId, id);
      if (!removed) throw batchNotFound(id);
      await blobs.delete(inputBlobKey(id));
      await blobs.deletePrefix(`batches/${id}/shards/`);
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
      if (!batch.resultsBlobKey) throw failedPrecondition(`Batch batches/${batch.id} has no results yet.`);
      return blobs.read(batch.resultsBlobKey);
    },
  };
}

/** Parses a results blob into objects (inline batches: at most ~20 MB of input, so bounded). */
export async function readResultObjects(results: Readable): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const line of readLines(results)) {
    if (line.bytes.length > 0) items.push(JSON.parse(line.bytes.toString('utf8')) as unknown);
  }
  return items;
}

/**
 * The batch engine without HTTP: a real SQLite store and local blob store in a temp dir, and
 * the engine exactly as serve creates it (server/create-engine.ts: worker pool and heartbeat,
 * submitter, batch service with pricing and worker liveness), around a backend the test
 * provides (often the simulated one wrapped to record what it sees).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelBackend } from '../../src/backends/backend.js';
import { createBackendRegistry, type ModelLimits } from '../../src/backends/registry.js';
import { SIMULATED_MODELS } from '../../src/backends/simulated/simulated-models.js';
import type { BatchService, BatchView, SubmitBatchInput } from '../../src/batches/index.js';
import type { BatchRecord } from '../../src/core/batch.js';
import type { EngineEvents } from '../../src/core/engine-events.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import { randomId } from '../../src/lib/ids.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createEngine, type Engine } from '../../src/server/create-engine.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { createLocalBlobStore } from '../../src/store/local/local-blob-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { abortableSleep } from '../../src/lib/abort.js';
import type { RetryPolicy } from '../../src/worker/retry-policy.js';
import type { WorkerPool } from '../../src/worker/worker-pool.js';
import { pollUntil } from './poll.js';

export interface EngineHarness {
  store: Store;
  blobs: BlobStore;
  batches: BatchService;
  /** The engine as serve wires it (pool, heartbeat, directory, submitter, service). */
  engine: Engine;
  /** The engine's worker pool (`start()` runs it without a heartbeat row; `engine.startWorkers()` writes one). */
  workers: WorkerPool;
  /** Submits an inline generate batch of the given prompts. */
  submitPrompts(prompts: string[], extra?: Partial<SubmitBatchInput>): Promise<BatchRecord>;
  waitFor(id: string, isDone?: (view: BatchView) => boolean, timeoutMs?: number): Promise<BatchView>;
  resultLines(id: string): Promise<{ metadata?: { i: number }; response?: unknown; error?: { code: number; status: string; message: string } }[]>;
  /**
   * Starts another worker on the same store and backend (another process's, as far as the store
   * can tell), its blob store optionally wrapped; stopped by `close`.
   */
  addWorker(wrapBlobs?: (blobs: BlobStore) => BlobStore): Promise<Engine>;
  close(): Promise<void>;
}

export interface EngineOptions {
  backend: ModelBackend;
  limits?: Partial<ModelLimits>;
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  shardSize?: number;
  completionWindowMs?: number;
  leaseMs?: number;
  startWorkers?: boolean;
  /** Default the system clock. */
  clock?: Clock;
  /** Where the engine reports what happens; default nowhere. */
  events?: EngineEvents;
  /** Wraps the engine's blob store (the harness's own `blobs` stay unwrapped). */
  wrapBlobs?: (blobs: BlobStore) => BlobStore;
}

export const TENANT = 'tenant-1';

export async function startEngine(options: EngineOptions): Promise<EngineHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'batchmode-engine-'));
  const store = openSqliteStore(join(dir, 'db.sqlite'));
  const blobs = createLocalBlobStore(join(dir, 'blobs'));
  const concurrency = options.concurrency ?? 16;
  const registry = createBackendRegistry([
    { name: 'gemini-*', backend: options.backend, models: SIMULATED_MODELS, limits: { maxConcurrency: concurrency, ...options.limits } },
  ]);
  const newEngine = (engineBlobs: BlobStore): Engine => createEngine({
    store, blobs: engineBlobs, registry, clock: options.clock ?? systemClock, logger: silentLogger, randomId, sleep: abortableSleep,
    workerId: `test-${randomId(6)}`, role: 'serve', runsWorkers: true, ...(options.events ? { events: options.events } : {}),
    settings: {
      concurrency, maxActiveShards: 4, pollMs: 50, leaseMs: options.leaseMs ?? 10_000, progressIntervalMs: 100,
      retry: { maxAttempts: 4, initialBackoffMs: 20, maxBackoffMs: 200, ...options.retry },
      shardSize: options.shardSize ?? 50, completionWindowMs: options.completionWindowMs ?? 3_600_000, fileRetentionMs: 3_600_000,
      webhooks: { pollMs: 50, timeoutMs: 2_000, retryWindowMs: 60_000, destinationPolicy: 'any' },
    },
  });
  const engine = newEngine(options.wrapBlobs ? options.wrapBlobs(blobs) : blobs);
  const { batches, pool: workers } = engine;
  if (options.startWorkers ?? true) await engine.startWorkers();
  const others: Engine[] = [];

  const harness: EngineHarness = {
    store, blobs, batches, engine, workers,
    async submitPrompts(prompts, extra = {}) {
      const view = await batches.create({
        tenantId: TENANT, kind: 'generate', model: 'gemini-2.5-flash', displayName: 'test', priority: 0, webhookConfig: undefined,
        source: { kind: 'inline', requests: prompts.map((text, i) => ({ request: { contents: [{ parts: [{ text }] }] }, metadata: { i } })) },
        ...extra,
      });
      return view.batch;
    },
    waitFor: (id, isDone = (view) => view.batch.resultsBlobKey !== undefined, timeoutMs = 30_000) =>
      pollUntil(() => batches.get(TENANT, id), isDone, timeoutMs, 20),
    async resultLines(id) {
      const view = await batches.get(TENANT, id);
      const text = await new Response(await batches.openResults(view.batch)).text();
      return text.trim().split('\n').map((line) => JSON.parse(line) as Awaited<ReturnType<EngineHarness['resultLines']>>[number]);
    },
    async addWorker(wrapBlobs) {
      const other = newEngine(wrapBlobs ? wrapBlobs(blobs) : blobs);
      others.push(other);
      await other.startWorkers();
      return other;
    },
    async close() {
      await Promise.all(others.map((other) => other.stopWorkers()));
      await engine.stopWorkers();
      await registry.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export interface CallRecord {
  text: string;
  attempt: number;
  atMs: number;
}

/** Wraps a backend to record each call (prompt, attempt, start time) and the peak in flight; forwards close(). */
export function instrument(backend: ModelBackend): ModelBackend & { log: CallRecord[]; peakInFlight: number; inFlight: number } {
  let inFlight = 0;
  const probe = {
    log: [] as CallRecord[],
    peakInFlight: 0,
    get inFlight() {
      return inFlight;
    },
    id: backend.id,
    async generateContent(...args: Parameters<ModelBackend['generateContent']>) {
      const [request, options] = args;
      probe.log.push({ text: String(request.contents.at(-1)?.parts?.[0]?.text ?? ''), attempt: options.attempt ?? 1, atMs: Date.now() });
      inFlight++;
      probe.peakInFlight = Math.max(probe.peakInFlight, inFlight);
      try {
        return await backend.generateContent(...args);
      } finally {
        inFlight--;
      }
    },
    ...(backend.close ? { close: backend.close.bind(backend) } : {}),
  };
  return probe;
}

/**
 * The durability port. Everything batchmode must not lose goes through a Store; the embedded
 * default implements it on SQLite (store/sqlite), the scale-out mode on PostgreSQL. Both run
 * the one behavioural suite in store/store.contract.ts. Methods are async so that a networked
 * implementation fits the same shape.
 */
import type { BatchRecord, BatchState, ShardRecord, StopState } from '../core/batch.js';
import type { RpcStatus } from '../core/gemini-types.js';
import type { FileRecord } from '../core/file.js';
import type { Admission } from '../core/quota.js';
import type { TokenUsage } from '../core/usage.js';
import type { UploadSession } from '../core/upload-session.js';
import type { DeliveryOutcome, DeliveryRecord, SigningKey, WebhookEvent, WebhookRecord } from '../core/webhook.js';
import type { ShardLease, WorkerRecord } from '../core/worker.js';
import type { QuotaUsageRepository } from './quota-usage.js';
import type { ConnectionPoolStats, ModelRequestCounts } from './store-stats.js';
import type { CachedContentRepository } from './cached-content-repository.js';
export type { CachedContentRepository, ConnectionPoolStats, ModelRequestCounts, QuotaUsageRepository };

/** Keyset position in a list: the last item of the previous page. */
export interface ListCursor {
  createTimeMs: number;
  id: string;
}

export interface ListOptions {
  limit: number;
  after?: ListCursor;
  /**
   * Oldest first (then by id ascending), `after` continuing past that item the other way.
   * Honoured by `files.list` only (OpenAI's `GET /files?order=asc`); other lists ignore it.
   */
  ascending?: boolean;
}

export interface FileRepository {
  /**
   * Inserts a new file; resolves false when the tenant already has a file with that id. `admit`
   * gets the tenant's usage read in the same transaction (serialised per tenant); if it throws, nothing is inserted.
   */
  insert(file: FileRecord, admit?: Admission): Promise<boolean>;
  get(tenantId: string, id: string): Promise<FileRecord | undefined>;
  /** Newest first, then by id (or, with `ascending`, oldest first); `after` continues after that item. */
  list(tenantId: string, options: ListOptions): Promise<FileRecord[]>;
  /** Removes the record and returns it (the caller deletes its blob), or undefined if absent. */
  delete(tenantId: string, id: string): Promise<FileRecord | undefined>;
  /** Files whose expiration time has passed, oldest first (for the retention sweeper). */
  listExpired(nowMs: number, limit: number): Promise<FileRecord[]>;
}

export interface UploadSessionRepository {
  /** Inserts a session; resolves false when the tenant already has a file or upload with its file id. */
  insert(session: UploadSession): Promise<boolean>;
  get(uploadId: string): Promise<UploadSession | undefined>;
  /**
   * Moves the received-bytes counter from `expectedBytes` to `receivedBytes` (compare-and-set:
   * two chunks racing for the same offset cannot both win). Resolves whether it moved.
   */
  advance(uploadId: string, expectedBytes: number, receivedBytes: number, nowMs: number): Promise<boolean>;
  /**
   * Atomically turns a session into its file: inserts `file` and removes the session.
   * Resolves false (and changes nothing) when the session is gone or the file id is taken.
   * `admit` as in `files.insert`: when it throws, the session stays and no file is inserted.
   */
  complete(uploadId: string, file: FileRecord, admit?: Admission): Promise<boolean>;
  delete(uploadId: string): Promise<UploadSession | undefined>;
  /** Sessions not touched since `beforeMs` (abandoned uploads to clean up). */
  listStale(beforeMs: number, limit: number): Promise<UploadSession[]>;
}

/** Live progress of a batch: sums over its shards. */
export interface BatchProgress {
  succeededCount: number;
  failedCount: number;
  usage: TokenUsage;
  doneShards: number;
  totalShards: number;
}

/** Fields a state change may set along with the state. */
export type BatchStateUpdate = Partial<
  Pick<BatchRecord, 'succeededCount' | 'failedCount' | 'resultsBlobKey' | 'outputFileId' | 'error' | 'startTimeMs' | 'endTimeMs' | 'usage'>
>;

export interface BatchRepository {
  /**
   * Inserts a batch with all its shards in one transaction. When the tenant already has a
   * batch with the same idempotency key, nothing is inserted and that batch is returned.
   * A batch inserted already terminal (an OpenAI batch whose input failed validation:
   * BATCH_STATE_FAILED, no shards, no results) gets its webhook event queued in the same
   * transaction, as recordResults does; nothing ever claims, expires or finalizes it.
   * `admit` as in `files.insert`; a batch whose idempotency key is taken is not admitted (the existing one is returned).
   */
  create(batch: BatchRecord, shards: readonly ShardRecord[], admit?: Admission): Promise<{ created: boolean; batch: BatchRecord }>;
  findByIdempotencyKey(tenantId: string, key: string): Promise<BatchRecord | undefined>;
  get(tenantId: string, id: string): Promise<BatchRecord | undefined>;
  /** Any tenant's batch, for the engine. */
  getById(id: string): Promise<BatchRecord | undefined>;
  /** Newest first, then by id. */
  list(tenantId: string, options: ListOptions): Promise<BatchRecord[]>;
  /** Removes the batch and its shards; resolves the removed record. */
  delete(tenantId: string, id: string): Promise<BatchRecord | undefined>;
  /**
   * Records a stop request (cancel or expiry) on an active batch that has none yet
   * (compare-and-set): from then on its shards are not claimed, and renew/recordProgress answer
   * false so that holders stop. The batch keeps its PENDING or RUNNING state until
   * `recordResults` makes it `to`. `error` (for FAILED: why the batch as a whole failed) is
   * stored with the request. Resolves whether this call recorded the request.
   */
  requestStop(id: string, to: StopState, nowMs: number, error?: RpcStatus): Promise<boolean>;
  /**
   * Records a batch's results once, atomically: only while it has none yet (compare-and-set,
   * so of two finalizers racing exactly one wins), a RUNNING or PENDING batch becomes its
   * requested stop state, or SUCCEEDED when none was requested (a batch already terminal keeps
   * its state), and the results files given (none, one, or an OpenAI batch's output and error
   * files) are stored in the same transaction, each replacing a file of its id left by an
   * attempt that crashed. This is the only way a running batch becomes terminal, so a terminal
   * state is never visible without its counts and output. Resolves whether this call won.
   */
  recordResults(id: string, nowMs: number, fields: BatchStateUpdate & { resultsBlobKey: string }, files: readonly FileRecord[]): Promise<boolean>;
  /** Sums of shard counts for each batch id given. */
  progress(ids: readonly string[]): Promise<Map<string, BatchProgress>>;
  /**
   * Batches whose results are due but not written: ones with a stop request, and running ones
   * whose shards are all done (a crash between the last shard and the results file).
   */
  listUnfinalized(limit: number): Promise<BatchRecord[]>;
  /**
   * How many active batches with work left would be claimed before this one (higher priority,
   * or equal priority and older), across tenants.
   */
  queuePosition(batch: BatchRecord): Promise<number>;
  /** Active batches without a stop request whose deadline has passed. */
  listOverdue(nowMs: number, limit: number): Promise<BatchRecord[]>;
  /**
   * Sets the tenant's batch's priority and/or display name (fields left undefined keep their
   * value) in any state, and its update time. Resolves the updated record, or undefined when the
   * tenant has no such batch. A new priority orders every shard claimed afterwards.
   */
  update(tenantId: string, id: string, fields: BatchUpdate, nowMs: number): Promise<BatchRecord | undefined>;
  /**
   * How many batches each state holds, all tenants, terminal ones included (for metrics: an
   * index-only count). States without a batch are absent.
   */
  countByState(): Promise<Map<BatchState, number>>;
  /**
   * The requests of active batches without a stop request that have no result yet, by model,
   * all tenants (for metrics): `running` in shards held under a live lease at `nowMs`, `pending`
   * in the others. Models without such requests are absent.
   */
  openRequestsByModel(nowMs: number): Promise<ModelRequestCounts[]>;
}

export interface BatchUpdate {
  priority?: number;
  displayName?: string;
}

/** A shard handed to a worker, with what it needs of its batch. */
export interface ClaimedShard {
  shard: ShardRecord;
  batch: BatchRecord;
  /** The shard was running under another holder whose lease had lapsed (a crash or a stall). */
  takeover: boolean;
  /** This claim moved the batch from PENDING to RUNNING (its first claim). */
  startedBatch: boolean;
}

export interface ShardRepository {
  /**
   * Claims the next runnable shard for `owner` until `leaseUntilMs`: a pending shard, or a
   * running one whose lease lapsed, of an active batch; higher priority first, then older.
   */
  claim(owner: string, nowMs: number, leaseUntilMs: number): Promise<ClaimedShard | undefined>;
  /**
   * Extends the lease while the owner still holds it and the batch is still active with no
   * stop request; resolves false if the lease was lost or the batch was cancelled or expired
   * (by any process).
   */
  renew(batchId: string, index: number, owner: string, leaseUntilMs: number): Promise<boolean>;
  /** Saves the shard's counts so far (progress); resolves false, as `renew`, when it should stop. */
  recordProgress(batchId: string, index: number, owner: string, succeeded: number, failed: number, usage?: TokenUsage): Promise<boolean>;
  /**
   * Marks the shard done with its final counts. Resolves `allDone` when it was the batch's last
   * unfinished shard, or false in `completed` when the owner no longer held it.
   */
  complete(batchId: string, index: number, owner: string, succeeded: number, failed: number, usage?: TokenUsage): Promise<{ completed: boolean; allDone: boolean }>;
  /** Gives back every shard the owner holds (graceful shutdown), unfinished ones to pending. */
  releaseAll(owner: string): Promise<number>;
  /**
   * Gives back every leased shard, whoever holds it. Only for a process that knows all other
   * lease holders are dead (the embedded server, holding its data directory's lock).
   */
  releaseEveryLease(): Promise<number>;
  /** Gives back one shard without finishing it. */
  release(batchId: string, index: number, owner: string): Promise<void>;
  /** Shards of a batch in index order. */
  listForBatch(batchId: string): Promise<ShardRecord[]>;
  /** Whether some live lease (unexpired) is held on a shard of the batch. */
  hasLiveLease(batchId: string, nowMs: number): Promise<boolean>;
}

/**
 * Worker liveness: each worker process upserts its row every few seconds; a row whose
 * heartbeat is older than a few intervals belongs to a process that died or hangs.
 */
export interface WorkerRepository {
  /** Inserts or replaces the worker's row. */
  heartbeat(worker: WorkerRecord): Promise<void>;
  /** Removes the worker's row (clean shutdown). */
  remove(id: string): Promise<void>;
  /** Workers whose last heartbeat is at or after `sinceMs`, by id. */
  listAlive(sinceMs: number): Promise<WorkerRecord[]>;
  /** Removes rows whose last heartbeat is before `beforeMs`; resolves how many. */
  prune(beforeMs: number): Promise<number>;
  /** Unexpired shard leases of active batches, by owner, batch and shard. */
  listLeases(nowMs: number): Promise<ShardLease[]>;
}

/** Static webhooks, per tenant. */
export interface WebhookRepository {
  /** Inserts a new webhook (ids are random; a clash is an error). */
  insert(webhook: WebhookRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<WebhookRecord | undefined>;
  /** Newest first, then by id; `after` continues after that item. */
  list(tenantId: string, options: ListOptions): Promise<WebhookRecord[]>;
  /**
   * Stores the mutable fields of `webhook` (name, uri, subscribedEvents, state, signingSecrets,
   * updateTimeMs) on the tenant's webhook with its id; resolves false when there is none.
   */
  update(webhook: WebhookRecord): Promise<boolean>;
  /** Removes the webhook and drops its pending deliveries; resolves the removed record. */
  delete(tenantId: string, id: string): Promise<WebhookRecord | undefined>;
  /** The tenant's enabled webhooks subscribed to `eventType`, oldest first. */
  listSubscribed(tenantId: string, eventType: string): Promise<WebhookRecord[]>;
}

/** The outbox: events queued by `recordResults`, waiting to be fanned out to deliveries. */
export interface WebhookEventRepository {
  /** Events not fanned out yet, oldest first. */
  listPending(limit: number): Promise<WebhookEvent[]>;
  /**
   * Atomically inserts the event's deliveries and removes the event, only while the event is
   * still queued (compare-and-set: of two processes fanning out one event exactly one wins).
   * Resolves whether this call won.
   */
  fanOut(eventId: string, deliveries: readonly DeliveryRecord[]): Promise<boolean>;
}

/** Deliveries of events to receivers, each sent under a lease by one process at a time. */
export interface DeliveryRepository {
  /** Inserts a delivery directly (a ping). */
  insert(delivery: DeliveryRecord): Promise<void>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  /**
   * Leases up to `limit` pending deliveries due at `nowMs` (next attempt time reached) whose
   * lease is free or lapsed to `owner` until `leaseUntilMs`, earliest due first. Two processes
   * never claim the same delivery while its lease lives (SKIP LOCKED on PostgreSQL).
   */
  claim(owner: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Records one attempt's outcome while `owner` still holds the lease, counting the attempt and
   * freeing the lease: `delivered`, `failed` and `dropped` are final (with `completeTimeMs`);
   * `retry` keeps it pending until `nextAttemptMs`. A `failed` delivery of a static webhook
   * turns that webhook `disabled_due_to_failed_deliveries` in the same transaction. Resolves
   * whether the owner still held the lease (false changes nothing).
   */
  recordAttempt(id: string, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** Frees every delivery lease, whoever holds it (the embedded server at start, holding the data directory's lock). */
  releaseEveryLease(): Promise<number>;
  /** Removes deliveries that reached a final state before `beforeMs`; resolves how many. */
  pruneFinished(beforeMs: number): Promise<number>;
}

/** The RS256 key pairs that sign dynamic deliveries, shared by every process of a deployment. */
export interface SigningKeyRepository {
  /** Newest first. */
  list(): Promise<SigningKey[]>;
  insert(key: SigningKey): Promise<void>;
  delete(kid: string): Promise<void>;
}

export interface Store {
  readonly files: FileRepository;
  readonly quotaUsage: QuotaUsageRepository;
  readonly uploads: UploadSessionRepository;
  readonly batches: BatchRepository;
  readonly shards: ShardRepository;
  readonly workers: WorkerRepository;
  readonly webhooks: WebhookRepository;
  readonly webhookEvents: WebhookEventRepository;
  readonly deliveries: DeliveryRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly cachedContents: CachedContentRepository;
  /** Whether the store answers (for /readyz). */
  ping(): Promise<void>;
  /** The connection pool's use right now, for stores that have one (PostgreSQL). */
  connectionPool?(): ConnectionPoolStats;
  close(): Promise<void>;
}

/**
 * A batch and its lifecycle.
 *
 *   PENDING ──first shard claimed──▶ RUNNING ──last shard done, results written──▶ SUCCEEDED
 *      │                                │
 *      └── cancel, deadline or failure ─┴──▶ (stopping: stopState set, still PENDING/RUNNING)
 *                                                 │
 *                              results written ───┴──▶ CANCELLED, EXPIRED or FAILED
 *
 * A terminal state is only ever stored together with the batch's final counts and its results
 * (one store transaction: BatchRepository.recordResults), so whoever sees a terminal state
 * also sees the output, and nothing about the batch changes afterwards. A cancel or an expiry
 * first records a *stop request* (`stopState`): no new requests start, in-flight ones are
 * aborted, and the batch is reported in its previous state until its results file exists.
 *
 * Every terminal state keeps the results finished so far: CANCELLED and EXPIRED batches get a
 * results file too, with an error line for each request that did not run. A per-request
 * failure never fails the batch; FAILED means the batch as a whole could not run.
 *
 * A batch created through the OpenAI-compatible surface (`openai` set) is an ordinary batch of
 * native lines; only its create (line errors end it FAILED at once, with no requests and no
 * results) and its results differ: two files, the successes (`batch-<id>`) and the failures and
 * unrun requests (`batch-<id>-errors`), in OpenAI's line format.
 */
import type { RpcStatus } from './gemini-types.js';
import type { TokenUsage } from './usage.js';

export const BATCH_STATES = [
  'BATCH_STATE_PENDING',
  'BATCH_STATE_RUNNING',
  'BATCH_STATE_SUCCEEDED',
  'BATCH_STATE_FAILED',
  'BATCH_STATE_CANCELLED',
  'BATCH_STATE_EXPIRED',
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export const ACTIVE_STATES: readonly BatchState[] = ['BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING'];

export const isTerminal = (state: BatchState): boolean => !ACTIVE_STATES.includes(state);

/**
 * The terminal state a stop request leads to, once the results are written: a cancel, an
 * expiry, or a failure of the batch as a whole (its model is no longer served), which also
 * records the batch's `error`.
 */
export type StopState = 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED' | 'BATCH_STATE_FAILED';

/** `generate` = batchGenerateContent, `embed` = asyncBatchEmbedContent. */
export type BatchKind = 'generate' | 'embed';
export type BatchInputKind = 'file' | 'inline';

export interface BatchRecord {
  /** 36 lowercase alphanumerics, as Gemini's. */
  id: string;
  tenantId: string;
  kind: BatchKind;
  /** Model id without `models/`. */
  model: string;
  displayName: string;
  state: BatchState;
  /** Higher runs first; may be negative. */
  priority: number;
  inputKind: BatchInputKind;
  /** For file input: the file the client named (echoed as inputConfig.fileName). */
  inputFileId: string | undefined;
  /** The batch's own copy of its input, one request per line. */
  inputBlobKey: string;
  requestCount: number;
  /** Counts frozen when the batch finished; while it runs they come from its shards. */
  succeededCount: number;
  failedCount: number;
  /** Set once the results are written (terminal states only). */
  resultsBlobKey: string | undefined;
  /** For file input: the GENERATED results file's id (`batch-<id>`). */
  outputFileId: string | undefined;
  webhookConfig: unknown;
  /** Set when the batch FAILED as a whole. */
  error: RpcStatus | undefined;
  createTimeMs: number;
  updateTimeMs: number;
  startTimeMs: number | undefined;
  endTimeMs: number | undefined;
  /** The completion window's end: past it the batch EXPIRES. */
  deadlineMs: number;
  /** The client's Idempotency-Key, if it sent one: a retried create returns this batch. */
  idempotencyKey: string | undefined;
  /** Hash of the create request, to tell a retry from a different request reusing the key. */
  requestHash: string | undefined;
  /** Token usage summed over the requests, frozen when the results are written. */
  usage?: TokenUsage | undefined;
  /**
   * Set when the batch was cancelled or expired but its results are not written yet: it runs
   * nothing more and becomes this state in the transaction that records its results.
   */
  stopState?: StopState | undefined;
  /** Set on batches created through the OpenAI-compatible surface; undefined on native ones. */
  openai?: OpenAIBatchFields | undefined;
  /** Estimated tokens of all its requests (core/token-estimate.ts), for the enqueued-token quota; absent when 0. */
  estimatedTokens?: number | undefined;
}

/** A line error of an OpenAI batch's input (OpenAI's `errors.data[]` item). */
export interface OpenAIBatchError {
  /** 1-based physical line of the input file; null for an error of the file as a whole. */
  line: number | null;
  code: string | null;
  message: string;
  param: string | null;
}

/** What the OpenAI surface keeps of a batch created through it. */
export interface OpenAIBatchFields {
  /** `/v1/chat/completions` or `/v1/embeddings`. */
  endpoint: string;
  /** As the client sent it, e.g. `24h`. */
  completionWindow: string;
  metadata: Record<string, string> | undefined;
  /** The input file as the client named it (`files/abc` or `abc`). */
  inputFileId: string;
  /** Validation errors of a batch that ended FAILED at create (at most 100). */
  errors: OpenAIBatchError[] | undefined;
}

/** A slice of a batch's input, claimed and run as a unit by one worker under a lease. */
export interface ShardRecord {
  batchId: string;
  index: number;
  /** Index (0-based, among requests) of the shard's first request. */
  firstRequest: number;
  requestCount: number;
  /** Byte range of the shard's lines in the input blob: [byteStart, byteEnd). */
  byteStart: number;
  byteEnd: number;
  state: 'pending' | 'running' | 'done';
  succeededCount: number;
  failedCount: number;
}

/** Batch ids are 36 lowercase alphanumerics, like production's. */
export const BATCH_ID_LENGTH = 36;

export const resultsFileId = (batchId: string): string => `batch-${batchId}`;

/** An OpenAI batch's error file: its failed requests and those that never ran. */
export const errorFileId = (batchId: string): string => `batch-${batchId}-errors`;

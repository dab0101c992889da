/**
 * Rows of the store's tables (snake_case columns, the same in SQLite and PostgreSQL) and their
 * mapping to the domain records (camelCase). Both dialects read and write through these, so a
 * column is added in one place; only the SQL differs per dialect.
 */
import type { BatchInputKind, BatchKind, BatchRecord, BatchState, OpenAIBatchFields, ShardRecord, StopState } from '../core/batch.js';
import type { FileRecord, FileSource, FileState } from '../core/file.js';
import type { RpcStatus } from '../core/gemini-types.js';
import type { UploadSession } from '../core/upload-session.js';
import type { TokenUsage } from '../core/usage.js';
import type { ShardLease, WorkerRecord } from '../core/worker.js';
import type { BatchStateUpdate } from './store.js';

/** The token-usage fields summed per batch (JSON keys in the usage columns). */
export const USAGE_FIELDS = ['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'cachedContentTokenCount', 'totalTokenCount'] as const;
export type UsageField = (typeof USAGE_FIELDS)[number];

export interface FileRow {
  tenant_id: string;
  id: string;
  display_name: string;
  mime_type: string;
  size_bytes: number;
  sha256_hex: string;
  state: string;
  source: string;
  blob_key: string;
  create_time_ms: number;
  update_time_ms: number;
  expiration_time_ms: number;
}

export function fileFromRow(row: FileRow): FileRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    displayName: row.display_name,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    sha256Hex: row.sha256_hex,
    state: row.state as FileState,
    source: row.source as FileSource,
    blobKey: row.blob_key,
    createTimeMs: row.create_time_ms,
    updateTimeMs: row.update_time_ms,
    expirationTimeMs: row.expiration_time_ms,
  };
}

export function fileToParams(file: FileRecord): unknown[] {
  return [
    file.tenantId, file.id, file.displayName, file.mimeType, file.sizeBytes, file.sha256Hex,
    file.state, file.source, file.blobKey, file.createTimeMs, file.updateTimeMs, file.expirationTimeMs,
  ];
}

export interface UploadRow {
  upload_id: string;
  tenant_id: string;
  file_id: string;
  display_name: string;
  mime_type: string;
  declared_size_bytes: number | null;
  received_bytes: number;
  staging_key: string;
  create_time_ms: number;
  update_time_ms: number;
}

export function sessionFromRow(row: UploadRow): UploadSession {
  return {
    uploadId: row.upload_id,
    tenantId: row.tenant_id,
    fileId: row.file_id,
    displayName: row.display_name,
    mimeType: row.mime_type,
    declaredSizeBytes: row.declared_size_bytes ?? undefined,
    receivedBytes: row.received_bytes,
    stagingKey: row.staging_key,
    createTimeMs: row.create_time_ms,
    updateTimeMs: row.update_time_ms,
  };
}

export interface ShardRow {
  batch_id: string;
  shard_index: number;
  first_request: number;
  request_count: number;
  byte_start: number;
  byte_end: number;
  state: string;
  succeeded_count: number;
  failed_count: number;
}

export function shardFromRow(row: ShardRow): ShardRecord {
  return {
    batchId: row.batch_id,
    index: row.shard_index,
    firstRequest: row.first_request,
    requestCount: row.request_count,
    byteStart: row.byte_start,
    byteEnd: row.byte_end,
    state: row.state as ShardRecord['state'],
    succeededCount: row.succeeded_count,
    failedCount: row.failed_count,
  };
}

export interface BatchRow {
  id: string;
  tenant_id: string;
  kind: string;
  model: string;
  display_name: string;
  state: string;
  priority: number;
  input_kind: string;
  input_file_id: string | null;
  input_blob_key: string;
  request_count: number;
  succeeded_count: number;
  failed_count: number;
  results_blob_key: string | null;
  output_file_id: string | null;
  webhook_config: string | null;
  error: string | null;
  create_time_ms: number;
  update_time_ms: number;
  start_time_ms: number | null;
  end_time_ms: number | null;
  deadline_ms: number;
  idempotency_key: string | null;
  request_hash: string | null;
  usage: string | null;
  stop_state: string | null;
  openai: string | null;
  estimated_tokens: number;
}

export function batchFromRow(row: BatchRow): BatchRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind as BatchKind,
    model: row.model,
    displayName: row.display_name,
    state: row.state as BatchState,
    priority: row.priority,
    inputKind: row.input_kind as BatchInputKind,
    inputFileId: row.input_file_id ?? undefined,
    inputBlobKey: row.input_blob_key,
    requestCount: row.request_count,
    succeededCount: row.succeeded_count,
    failedCount: row.failed_count,
    resultsBlobKey: row.results_blob_key ?? undefined,
    outputFileId: row.output_file_id ?? undefined,
    webhookConfig: row.webhook_config === null ? undefined : (JSON.parse(row.webhook_config) as unknown),
    error: row.error === null ? undefined : (JSON.parse(row.error) as RpcStatus),
    createTimeMs: row.create_time_ms,
    updateTimeMs: row.update_time_ms,
    startTimeMs: row.start_time_ms ?? undefined,
    endTimeMs: row.end_time_ms ?? undefined,
    deadlineMs: row.deadline_ms,
    idempotencyKey: row.idempotency_key ?? undefined,
    requestHash: row.request_hash ?? undefined,
    usage: row.usage === null ? undefined : (JSON.parse(row.usage) as TokenUsage),
    ...(row.stop_state === null ? {} : { stopState: row.stop_state as StopState }),
    ...(row.openai === null ? {} : { openai: openaiFromJson(row.openai) }),
    ...(row.estimated_tokens > 0 ? { estimatedTokens: row.estimated_tokens } : {}),
  };
}

/** The `openai` column: JSON leaves out undefined fields, which the record spells out. */
function openaiFromJson(text: string): OpenAIBatchFields {
  const stored = JSON.parse(text) as OpenAIBatchFields;
  return { ...stored, metadata: stored.metadata ?? undefined, errors: stored.errors ?? undefined };
}

/**
 * A batch's insert columns in order (both dialects), with their values: JSON columns
 * serialised, undefined as NULL. A new batch has no stop request and no usage yet.
 */
export const BATCH_INSERT_COLUMNS = [
  'id', 'tenant_id', 'kind', 'model', 'display_name', 'state', 'priority', 'input_kind', 'input_file_id',
  'input_blob_key', 'request_count', 'succeeded_count', 'failed_count', 'results_blob_key', 'output_file_id',
  'webhook_config', 'error', 'create_time_ms', 'update_time_ms', 'start_time_ms', 'end_time_ms', 'deadline_ms',
  'idempotency_key', 'request_hash', 'openai', 'estimated_tokens',
] as const;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export function batchToParams(batch: BatchRecord): unknown[] {
  return [
    batch.id, batch.tenantId, batch.kind, batch.model, batch.displayName, batch.state, batch.priority, batch.inputKind,
    batch.inputFileId ?? null, batch.inputBlobKey, batch.requestCount, batch.succeededCount, batch.failedCount,
    batch.resultsBlobKey ?? null, batch.outputFileId ?? null, json(batch.webhookConfig), json(batch.error),
    batch.createTimeMs, batch.updateTimeMs, batch.startTimeMs ?? null, batch.endTimeMs ?? null, batch.deadlineMs,
    batch.idempotencyKey ?? null, batch.requestHash ?? null, json(batch.openai), batch.estimatedTokens ?? 0,
  ];
}

/**
 * The SQL condition (both dialects) for a batch that still runs work: PENDING or RUNNING with
 * no stop request. `alias` is the batches table's alias in the query.
 */
export const RUNNABLE_BATCH_SQL = (alias: string): string =>
  `${alias}.state IN ('BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING') AND ${alias}.stop_state IS NULL`;

/**
 * The state a batch takes when its results are recorded (both dialects): an active batch
 * becomes its requested stop state, or SUCCEEDED; a terminal one keeps its state.
 */
export const FINAL_STATE_SQL = `CASE WHEN state IN ('BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING')
  THEN COALESCE(stop_state, 'BATCH_STATE_SUCCEEDED') ELSE state END`;

export const BATCH_UPDATE_COLUMNS: Record<keyof BatchStateUpdate, string> = {
  succeededCount: 'succeeded_count',
  failedCount: 'failed_count',
  resultsBlobKey: 'results_blob_key',
  outputFileId: 'output_file_id',
  error: 'error',
  startTimeMs: 'start_time_ms',
  endTimeMs: 'end_time_ms',
  usage: 'usage',
};

/** Column names and values for the fields a batch update sets (JSON columns serialised). */
export function batchUpdateValues(fields: BatchStateUpdate): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [name, column] of Object.entries(BATCH_UPDATE_COLUMNS) as [keyof BatchStateUpdate, string][]) {
    if (!(name in fields)) continue;
    const value = fields[name];
    columns.push(column);
    values.push(name === 'error' || name === 'usage' ? (value === undefined ? null : JSON.stringify(value)) : (value ?? null));
  }
  return { columns, values };
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  role: string;
  version: string;
  concurrency: number;
  in_flight: number;
  started_at_ms: number;
  heartbeat_at_ms: number;
}

export function workerFromRow(row: WorkerRow): WorkerRecord {
  return {
    id: row.id, host: row.host, pid: row.pid, role: row.role === 'worker' ? 'worker' : 'serve', version: row.version,
    concurrency: row.concurrency, inFlight: row.in_flight, startedAtMs: row.started_at_ms, heartbeatAtMs: row.heartbeat_at_ms,
  };
}

/** A worker's columns in insert order (the same in both dialects). */
export function workerParams(worker: WorkerRecord): (string | number)[] {
  return [worker.id, worker.host, worker.pid, worker.role, worker.version, worker.concurrency, worker.inFlight, worker.startedAtMs, worker.heartbeatAtMs];
}

export interface LeaseRow {
  lease_owner: string;
  batch_id: string;
  tenant_id: string;
  shard_index: number;
  request_count: number;
  succeeded_count: number;
  failed_count: number;
  lease_expires_ms: number;
}

export function leaseFromRow(row: LeaseRow): ShardLease {
  return {
    owner: row.lease_owner, batchId: row.batch_id, tenantId: row.tenant_id, shardIndex: row.shard_index,
    requestCount: row.request_count, succeededCount: row.succeeded_count, failedCount: row.failed_count, leaseExpiresMs: row.lease_expires_ms,
  };
}

/** Live leases of active batches (both dialects; `$1`/`?` is the current time). */
export const LEASES_SQL = (now: string): string => `SELECT s.lease_owner, s.batch_id, b.tenant_id, s.shard_index, s.request_count,
    s.succeeded_count, s.failed_count, s.lease_expires_ms
  FROM shards s JOIN batches b ON b.id = s.batch_id
  WHERE s.state = 'running' AND s.lease_expires_ms >= ${now} AND ${RUNNABLE_BATCH_SQL('b')}
  ORDER BY s.lease_owner, s.batch_id, s.shard_index`;

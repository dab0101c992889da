/**
 * BatchRepository on SQLite. A batch's webhook event is queued (the outbox) in the transaction
 * that makes it terminal: recordResults, or create for a batch that is terminal from the start
 * (an OpenAI batch whose input failed validation: FAILED, no shards, no results).
 */
import type { Database } from 'better-sqlite3';
import { isTerminal, type BatchRecord, type ShardRecord } from '../../core/batch.js';
import type { FileRecord } from '../../core/file.js';
import { emptyUsage } from '../../core/usage.js';
import { batchTerminalEvent } from '../../core/webhook.js';

import type { BatchProgress, BatchRepository, BatchStateUpdate, ListOptions } from '../store.js';
import { fileToParams } from '../row-mapping.js';
import { webhookEventParams } from '../webhook-row-mapping.js';
import { INSERT_EVENT_SQL } from './sqlite-delivery-repository.js';
import { INSERT_FILE_SQL } from './sqlite-file-repository.js';
import { createSqliteBatchStats } from './sqlite-batch-stats.js';
import { createSqliteTenantUsage } from './sqlite-tenant-usage.js';
import type { Admission } from '../../core/quota.js';
import { batchFromRow, batchToParams, batchUpdateValues, BATCH_INSERT_COLUMNS, FINAL_STATE_SQL, RUNNABLE_BATCH_SQL, USAGE_FIELDS, type BatchRow, type UsageField } from '../row-mapping.js';

/** `, column = ?` for each field given. */
function updateColumns(fields: BatchStateUpdate): { sql: string; values: unknown[] } {
  const { columns, values } = batchUpdateValues(fields);
  return { sql: columns.map((column) => `, ${column} = ?`).join(''), values };
}

export function createSqliteBatchRepository(db: Database): BatchRepository {
  const insertBatch = db.prepare(
    `INSERT INTO batches (${BATCH_INSERT_COLUMNS.join(', ')}) VALUES (${BATCH_INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertShard = db.prepare(`INSERT INTO shards (batch_id, shard_index, first_request, request_count,
    byte_start, byte_end, state, succeeded_count, failed_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const get = db.prepare<[string, string], BatchRow>('SELECT * FROM batches WHERE tenant_id = ? AND id = ?');
  const getById = db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?');
  const byIdempotencyKey = db.prepare<[string, string], BatchRow>('SELECT * FROM batches WHERE tenant_id = ? AND idempotency_key = ?');
  const listFirst = db.prepare<[string, number], BatchRow>(
    'SELECT * FROM batches WHERE tenant_id = ? ORDER BY create_time_ms DESC, id DESC LIMIT ?',
  );
  const listAfter = db.prepare<[string, number, number, string, number], BatchRow>(
    `SELECT * FROM batches WHERE tenant_id = ? AND (create_time_ms < ? OR (create_time_ms = ? AND id < ?))
     ORDER BY create_time_ms DESC, id DESC LIMIT ?`,
  );
  const remove = db.prepare<[string, string], BatchRow>('DELETE FROM batches WHERE tenant_id = ? AND id = ? RETURNING *');
  const removeShards = db.prepare('DELETE FROM shards WHERE batch_id = ?');
  const progress = db.prepare<[string], { batch_id: string; succeeded: number; failed: number; done: number; total: number } & Record<UsageField, number>>(
    `SELECT batch_id, SUM(succeeded_count) AS succeeded, SUM(failed_count) AS failed,
       SUM(state = 'done') AS done, COUNT(*) AS total,
       ${USAGE_FIELDS.map((field) => `COALESCE(SUM(json_extract(usage, '$.${field}')), 0) AS ${field}`).join(', ')}
     FROM shards WHERE batch_id IN (SELECT value FROM json_each(?)) GROUP BY batch_id`,
  );
  const unfinalized = db.prepare<[number], BatchRow>(
    `SELECT * FROM batches b WHERE results_blob_key IS NULL AND (
       stop_state IS NOT NULL
       OR (state = 'BATCH_STATE_RUNNING' AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state != 'done')))
     ORDER BY update_time_ms LIMIT ?`,
  );
  const ahead = db.prepare<[number, number, number, number, string], { n: number }>(
    `SELECT COUNT(*) AS n FROM batches b
     WHERE ${RUNNABLE_BATCH_SQL('b')}
       AND (b.priority > ? OR (b.priority = ? AND (b.create_time_ms < ? OR (b.create_time_ms = ? AND b.id < ?))))
       AND EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state = 'pending')`,
  );
  const overdue = db.prepare<[number, number], BatchRow>(
    `SELECT * FROM batches b WHERE ${RUNNABLE_BATCH_SQL('b')} AND deadline_ms <= ?
     ORDER BY deadline_ms LIMIT ?`,
  );

  const insertEvent = db.prepare(INSERT_EVENT_SQL);
  const usage = createSqliteTenantUsage(db);
  const create = db.transaction((batch: BatchRecord, shards: readonly ShardRecord[], admit: Admission | undefined) => {
    // A create that repeats an idempotency key is not admitted: its insert fails, and the caller replays.
    const repeated = batch.idempotencyKey !== undefined && byIdempotencyKey.get(batch.tenantId, batch.idempotencyKey) !== undefined;
    if (!repeated) admit?.(usage(batch.tenantId));
    insertBatch.run(...batchToParams(batch));
    for (const shard of shards) {
      insertShard.run(shard.batchId, shard.index, shard.firstRequest, shard.requestCount, shard.byteStart,
        shard.byteEnd, shard.state, shard.succeededCount, shard.failedCount);
    }
    // A batch created terminal (an OpenAI batch whose input failed validation) queues its event here.
    const event = isTerminal(batch.state) ? batchTerminalEvent(batch, batch.updateTimeMs) : undefined;
    if (event) insertEvent.run(...webhookEventParams(event));
  });
  const requestStop = db.prepare(
    `UPDATE batches SET stop_state = ?, error = COALESCE(?, error), update_time_ms = ?
     WHERE id = ? AND ${RUNNABLE_BATCH_SQL('batches')}`,
  );
  const deleteFile = db.prepare('DELETE FROM files WHERE tenant_id = ? AND id = ?');
  const insertFile = db.prepare(INSERT_FILE_SQL);
  const recordResults = db.transaction((id: string, nowMs: number, fields: BatchStateUpdate, files: readonly FileRecord[]) => {
    const columns = updateColumns(fields);
    const row = db.prepare<unknown[], BatchRow>(
      `UPDATE batches SET update_time_ms = ?${columns.sql}, state = ${FINAL_STATE_SQL}
       WHERE id = ? AND results_blob_key IS NULL RETURNING *`,
    ).get(nowMs, ...columns.values, id);
    if (!row) return false;
    for (const file of files) {
      deleteFile.run(file.tenantId, file.id);
      insertFile.run(...fileToParams(file));
    }
    // The outbox: the event is queued exactly when the batch becomes terminal, or not at all.
    const event = batchTerminalEvent(batchFromRow(row), nowMs);
    if (event) insertEvent.run(...webhookEventParams(event));
    return true;
  });
  const update = db.prepare<[number | null, string | null, number, string, string], BatchRow>(
    `UPDATE batches SET priority = COALESCE(?, priority), display_name = COALESCE(?, display_name), update_time_ms = ?
     WHERE tenant_id = ? AND id = ? RETURNING *`,
  );
  const removeWithShards = db.transaction((tenantId: string, id: string) => {
    const row = remove.get(tenantId, id);
    if (row) removeShards.run(id);
    return row;
  });

  return {
    ...createSqliteBatchStats(db),
    create: async (batch, shards, admit) => {
      try {
        create.immediate(batch, shards, admit);
        return { created: true, batch };
      } catch (error) {
        const existing = batch.idempotencyKey === undefined ? undefined : byIdempotencyKey.get(batch.tenantId, batch.idempotencyKey);
        if (existing && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return { created: false, batch: batchFromRow(existing) };
        throw error;
      }
    },
    findByIdempotencyKey: async (tenantId, key) => {
      const row = byIdempotencyKey.get(tenantId, key);
      return row && batchFromRow(row);
    },
    get: async (tenantId, id) => {
      const row = get.get(tenantId, id);
      return row && batchFromRow(row);
    },
    getById: async (id) => {
      const row = getById.get(id);
      return row && batchFromRow(row);
    },
    list: async (tenantId, { limit, after }: ListOptions) =>
      (after ? listAfter.all(tenantId, after.createTimeMs, after.createTimeMs, after.id, limit) : listFirst.all(tenantId, limit)).map(batchFromRow),
    delete: async (tenantId, id) => {
      const row = removeWithShards.immediate(tenantId, id);
      return row && batchFromRow(row);
    },
    requestStop: async (id, to, nowMs, error) =>
      requestStop.run(to, error === undefined ? null : JSON.stringify(error), nowMs, id).changes === 1,
    recordResults: async (id, nowMs, fields, files) => recordResults.immediate(id, nowMs, fields, files),
    progress: async (ids) => {
      const result = new Map<string, BatchProgress>();
      if (ids.length === 0) return result;
      for (const row of progress.all(JSON.stringify(ids))) {
        const usage = emptyUsage();
        for (const field of USAGE_FIELDS) usage[field] = row[field];
        result.set(row.batch_id, { succeededCount: row.succeeded, failedCount: row.failed, doneShards: row.done, totalShards: row.total, usage });
      }
      return result;
    },
    listUnfinalized: async (limit) => unfinalized.all(limit).map(batchFromRow),
    queuePosition: async (batch) =>
      ahead.get(batch.priority, batch.priority, batch.createTimeMs, batch.createTimeMs, batch.id)?.n ?? 0,
    listOverdue: async (nowMs, limit) => overdue.all(nowMs, limit).map(batchFromRow),
    update: async (tenantId, id, fields, nowMs) => {
      const row = update.get(fields.priority ?? null, fields.displayName ?? null, nowMs, tenantId, id);
      return row && batchFromRow(row);
    },
  };
}

/**
 * BatchRepository on PostgreSQL. A batch's webhook event is queued (the outbox) in the
 * transaction that makes it terminal: recordResults, or create for a batch that is terminal from
 * the start (an OpenAI batch whose input failed validation: FAILED, no shards, no results).
 */
import type { Pool } from 'pg';
import { isTerminal, type BatchRecord } from '../../core/batch.js';
import { emptyUsage } from '../../core/usage.js';
import { batchTerminalEvent } from '../../core/webhook.js';
import type { BatchProgress, BatchRepository, BatchStateUpdate, ListOptions } from '../store.js';
import { insertWebhookEvent } from './postgres-delivery-repository.js';
import { insertFile } from './postgres-file-repository.js';
import { createPostgresBatchStats } from './postgres-batch-stats.js';
import { lockTenantQuota, readTenantUsage } from './postgres-tenant-usage.js';
import { isUniqueViolation, withTransaction, type Queryable } from './transaction.js';
import { batchFromRow, batchToParams, batchUpdateValues, BATCH_INSERT_COLUMNS, FINAL_STATE_SQL, RUNNABLE_BATCH_SQL, USAGE_FIELDS, type BatchRow, type UsageField } from '../row-mapping.js';

/** `, column = $n` for each field given, numbering placeholders from `firstParam`. */
function updateColumns(fields: BatchStateUpdate, firstParam: number): { sql: string; values: unknown[] } {
  const { columns, values } = batchUpdateValues(fields);
  return { sql: columns.map((column, index) => `, ${column} = $${firstParam + index}`).join(''), values };
}

const INSERT_BATCH_SQL = `INSERT INTO batches (${BATCH_INSERT_COLUMNS.join(', ')})
  VALUES (${BATCH_INSERT_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`;

const SHARD_COLUMNS = 9;

async function getOne(client: Queryable, sql: string, params: unknown[]): Promise<BatchRecord | undefined> {
  const { rows } = await client.query<BatchRow>(sql, params);
  return rows[0] && batchFromRow(rows[0]);
}

export function createPostgresBatchRepository(pool: Pool): BatchRepository {
  const byIdempotencyKey = (tenantId: string, key: string) =>
    getOne(pool, 'SELECT * FROM batches WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]);

  return {
    ...createPostgresBatchStats(pool),
    create: async (batch, shards, admit) => {
      try {
        await withTransaction(pool, async (client) => {
          if (admit) {
            await lockTenantQuota(client, batch.tenantId);
            // A create that repeats an idempotency key is not admitted: its insert fails, and the existing batch is returned.
            const repeated = batch.idempotencyKey !== undefined && (await getOne(client, 'SELECT * FROM batches WHERE tenant_id = $1 AND idempotency_key = $2', [batch.tenantId, batch.idempotencyKey])) !== undefined;
            if (!repeated) admit(await readTenantUsage(client, batch.tenantId));
          }
          await client.query(INSERT_BATCH_SQL, batchToParams(batch));
          // Many shards per statement (PostgreSQL takes at most 65535 parameters per statement).
          const perStatement = Math.floor(60_000 / SHARD_COLUMNS);
          for (let start = 0; start < shards.length; start += perStatement) {
            const chunk = shards.slice(start, start + perStatement);
            const values: unknown[] = [];
            const tuples = chunk.map((shard) => {
              const base = values.length;
              values.push(shard.batchId, shard.index, shard.firstRequest, shard.requestCount, shard.byteStart,
                shard.byteEnd, shard.state, shard.succeededCount, shard.failedCount);
              return `(${Array.from({ length: SHARD_COLUMNS }, (_, column) => `$${base + column + 1}`).join(', ')})`;
            });
            await client.query(`INSERT INTO shards (batch_id, shard_index, first_request, request_count,
              byte_start, byte_end, state, succeeded_count, failed_count) VALUES ${tuples.join(', ')}`, values);
          }
          // A batch created terminal (an OpenAI batch whose input failed validation) queues its event here.
          const event = isTerminal(batch.state) ? batchTerminalEvent(batch, batch.updateTimeMs) : undefined;
          if (event) await insertWebhookEvent(client, event);
        });
        return { created: true, batch };
      } catch (error) {
        // The transaction was rolled back; the batch that holds the key is committed by now.
        if (!isUniqueViolation(error) || batch.idempotencyKey === undefined) throw error;
        const existing = await byIdempotencyKey(batch.tenantId, batch.idempotencyKey);
        if (existing) return { created: false, batch: existing };
        throw error;
      }
    },
    findByIdempotencyKey: async (tenantId, key) => byIdempotencyKey(tenantId, key),
    get: async (tenantId, id) => getOne(pool, 'SELECT * FROM batches WHERE tenant_id = $1 AND id = $2', [tenantId, id]),
    getById: async (id) => getOne(pool, 'SELECT * FROM batches WHERE id = $1', [id]),
    list: async (tenantId, { limit, after }: ListOptions) => {
      const { rows } = after
        ? await pool.query<BatchRow>(
          `SELECT * FROM batches WHERE tenant_id = $1 AND (create_time_ms < $2 OR (create_time_ms = $2 AND id < $3))
           ORDER BY create_time_ms DESC, id DESC LIMIT $4`,
          [tenantId, after.createTimeMs, after.id, limit],
        )
        : await pool.query<BatchRow>('SELECT * FROM batches WHERE tenant_id = $1 ORDER BY create_time_ms DESC, id DESC LIMIT $2', [tenantId, limit]);
      return rows.map(batchFromRow);
    },
    delete: async (tenantId, id) =>
      withTransaction(pool, async (client) => {
        const row = await getOne(client, 'DELETE FROM batches WHERE tenant_id = $1 AND id = $2 RETURNING *', [tenantId, id]);
        // The foreign key cascades already; explicit, as on SQLite.
        if (row) await client.query('DELETE FROM shards WHERE batch_id = $1', [id]);
        return row;
      }),
    requestStop: async (id, to, nowMs, error) =>
      (await pool.query(
        `UPDATE batches SET stop_state = $1, error = COALESCE($4, error), update_time_ms = $2
         WHERE id = $3 AND ${RUNNABLE_BATCH_SQL('batches')}`,
        [to, nowMs, id, error === undefined ? null : JSON.stringify(error)],
      )).rowCount === 1,
    recordResults: async (id, nowMs, fields, files) =>
      withTransaction(pool, async (client) => {
        const columns = updateColumns(fields, 3);
        const batch = await getOne(
          client,
          `UPDATE batches SET update_time_ms = $1${columns.sql}, state = ${FINAL_STATE_SQL}
           WHERE id = $2 AND results_blob_key IS NULL RETURNING *`,
          [nowMs, id, ...columns.values],
        );
        if (!batch) return false;
        for (const file of files) {
          await client.query('DELETE FROM files WHERE tenant_id = $1 AND id = $2', [file.tenantId, file.id]);
          await insertFile(client, file);
        }
        // The outbox: the event is queued exactly when the batch becomes terminal, or not at all.
        const event = batchTerminalEvent(batch, nowMs);
        if (event) await insertWebhookEvent(client, event);
        return true;
      }),
    progress: async (ids) => {
      const result = new Map<string, BatchProgress>();
      if (ids.length === 0) return result;
      const { rows } = await pool.query<{ batch_id: string; succeeded: number; failed: number; done: number; total: number } & Record<UsageField, number>>(
        `SELECT batch_id, SUM(succeeded_count)::bigint AS succeeded, SUM(failed_count)::bigint AS failed,
           COUNT(*) FILTER (WHERE state = 'done') AS done, COUNT(*) AS total,
           ${USAGE_FIELDS.map((field) => `COALESCE(SUM((usage::json->>'${field}')::bigint), 0)::bigint AS "${field}"`).join(', ')}
         FROM shards WHERE batch_id = ANY($1::text[]) GROUP BY batch_id`,
        [[...ids]],
      );
      for (const row of rows) {
        const usage = emptyUsage();
        for (const field of USAGE_FIELDS) usage[field] = row[field];
        result.set(row.batch_id, { succeededCount: row.succeeded, failedCount: row.failed, doneShards: row.done, totalShards: row.total, usage });
      }
      return result;
    },
    listUnfinalized: async (limit) =>
      (await pool.query<BatchRow>(
        `SELECT * FROM batches b WHERE results_blob_key IS NULL AND (
           stop_state IS NOT NULL
           OR (state = 'BATCH_STATE_RUNNING' AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state <> 'done')))
         ORDER BY update_time_ms LIMIT $1`,
        [limit],
      )).rows.map(batchFromRow),
    queuePosition: async (batch) => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM batches b
         WHERE ${RUNNABLE_BATCH_SQL('b')}
           AND (b.priority > $1 OR (b.priority = $1 AND (b.create_time_ms < $2 OR (b.create_time_ms = $2 AND b.id < $3))))
           AND EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state = 'pending')`,
        [batch.priority, batch.createTimeMs, batch.id],
      );
      return rows[0]?.n ?? 0;
    },
    listOverdue: async (nowMs, limit) =>
      (await pool.query<BatchRow>(
        `SELECT * FROM batches b WHERE ${RUNNABLE_BATCH_SQL('b')} AND deadline_ms <= $1
         ORDER BY deadline_ms LIMIT $2`,
        [nowMs, limit],
      )).rows.map(batchFromRow),
    update: async (tenantId, id, fields, nowMs) =>
      getOne(
        pool,
        `UPDATE batches SET priority = COALESCE($1, priority), display_name = COALESCE($2, display_name), update_time_ms = $3
         WHERE tenant_id = $4 AND id = $5 RETURNING *`,
        [fields.priority ?? null, fields.displayName ?? null, nowMs, tenantId, id],
      ),
  };
}

/**
 * ShardRepository on PostgreSQL.
 *
 * Claiming is one transaction in two steps, so its cost grows with the number of active
 * batches, not of shards:
 *
 * 1. Pick the batch, in the same order as SQLite: an active (PENDING or RUNNING) batch with a
 *    runnable shard (pending, or running with a lapsed lease); higher priority first, then the
 *    batch with fewest live running shards (fair sharing among equal priorities), then the
 *    older batch, then id. This read takes no lock; it returns a few candidates in that order.
 * 2. For the first candidate, lock its first runnable shard with
 *    `ORDER BY shard_index LIMIT 1 FOR UPDATE SKIP LOCKED`, lease it to the owner, and move the
 *    batch PENDING→RUNNING; commit.
 *
 * Why SKIP LOCKED: on PostgreSQL many workers (in many processes) claim at once, and the
 * database does not serialize them as SQLite's single writer does. A plain FOR UPDATE would
 * make every concurrent claimer queue on the same first shard and then, after the winner
 * commits, find it no longer runnable (READ COMMITTED re-checks the WHERE clause on the new row
 * version) and get nothing. SKIP LOCKED makes each claimer pass over the rows that others are
 * leasing right now and take the next one, so two claimers never get the same shard and none
 * waits on another. A row claimed and committed after this statement's snapshot is re-checked
 * under the lock and skipped too, as it is no longer runnable. When every runnable shard of a
 * candidate is locked by other claimers, the next candidate batch is tried.
 */
import type { Pool } from 'pg';
import type { ShardRepository } from '../store.js';
import { batchFromRow, RUNNABLE_BATCH_SQL, shardFromRow, type BatchRow, type ShardRow } from '../row-mapping.js';
import { withTransaction } from './transaction.js';

const CANDIDATE_BATCHES = 8;

const PICK_BATCHES_SQL = `SELECT b.id FROM batches b
  WHERE ${RUNNABLE_BATCH_SQL('b')}
    AND (EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state = 'pending')
      OR EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state = 'running' AND s.lease_expires_ms < $1))
  ORDER BY b.priority DESC,
    (SELECT COUNT(*) FROM shards r WHERE r.batch_id = b.id AND r.state = 'running' AND r.lease_expires_ms >= $1),
    b.create_time_ms, b.id
  LIMIT $2`;

const LOCK_SHARD_SQL = `SELECT s.shard_index, s.state FROM shards s
  WHERE s.batch_id = $1
    AND (s.state = 'pending' OR (s.state = 'running' AND s.lease_expires_ms < $2))
    AND EXISTS (SELECT 1 FROM batches b WHERE b.id = s.batch_id AND ${RUNNABLE_BATCH_SQL('b')})
  ORDER BY s.shard_index
  LIMIT 1
  FOR UPDATE OF s SKIP LOCKED`;

export function createPostgresShardRepository(pool: Pool): ShardRepository {
  return {
    claim: async (owner, nowMs, leaseUntilMs) =>
      withTransaction(pool, async (client) => {
        const candidates = await client.query<{ id: string }>(PICK_BATCHES_SQL, [nowMs, CANDIDATE_BATCHES]);
        for (const { id } of candidates.rows) {
          const locked = await client.query<{ shard_index: number; state: string }>(LOCK_SHARD_SQL, [id, nowMs]);
          const index = locked.rows[0]?.shard_index;
          // A shard still `running` when claimable is one whose holder's lease lapsed: a takeover.
          const takeover = locked.rows[0]?.state === 'running';
          if (index === undefined) continue;
          const leased = await client.query<ShardRow>(
            `UPDATE shards SET state = 'running', lease_owner = $1, lease_expires_ms = $2
             WHERE batch_id = $3 AND shard_index = $4 RETURNING *`,
            [owner, leaseUntilMs, id, index],
          );
          const shard = leased.rows[0];
          if (!shard) continue;
          // Only a PENDING batch's row is locked (and briefly): once RUNNING, claimers do not touch it.
          const started = await client.query(
            `UPDATE batches SET state = 'BATCH_STATE_RUNNING', start_time_ms = $1, update_time_ms = $1
             WHERE id = $2 AND state = 'BATCH_STATE_PENDING'`,
            [nowMs, id],
          );
          const batch = await client.query<BatchRow>('SELECT * FROM batches WHERE id = $1', [id]);
          return { shard: shardFromRow(shard), batch: batchFromRow(batch.rows[0]!), takeover, startedBatch: started.rowCount === 1 };
        }
        return undefined;
      }),
    renew: async (batchId, index, owner, leaseUntilMs) =>
      (await pool.query(
        `UPDATE shards SET lease_expires_ms = $1 WHERE batch_id = $2 AND shard_index = $3 AND lease_owner = $4 AND state = 'running'
         AND EXISTS (SELECT 1 FROM batches b WHERE b.id = shards.batch_id AND ${RUNNABLE_BATCH_SQL('b')})`,
        [leaseUntilMs, batchId, index, owner],
      )).rowCount === 1,
    recordProgress: async (batchId, index, owner, succeeded, failed, usage) =>
      (await pool.query(
        `UPDATE shards SET succeeded_count = $1, failed_count = $2, usage = $3
         WHERE batch_id = $4 AND shard_index = $5 AND lease_owner = $6 AND state = 'running'
         AND EXISTS (SELECT 1 FROM batches b WHERE b.id = shards.batch_id AND ${RUNNABLE_BATCH_SQL('b')})`,
        [succeeded, failed, usage ? JSON.stringify(usage) : null, batchId, index, owner],
      )).rowCount === 1,
    complete: async (batchId, index, owner, succeeded, failed, usage) =>
      withTransaction(pool, async (client) => {
        const finished = await client.query(
          `UPDATE shards SET state = 'done', succeeded_count = $1, failed_count = $2, usage = $3, lease_owner = NULL, lease_expires_ms = NULL
           WHERE batch_id = $4 AND shard_index = $5 AND lease_owner = $6 AND state = 'running'`,
          [succeeded, failed, usage ? JSON.stringify(usage) : null, batchId, index, owner],
        );
        if (finished.rowCount !== 1) return { completed: false, allDone: false };
        const unfinished = await client.query<{ n: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM shards WHERE batch_id = $1 AND state IN ('pending', 'running')) AS n`,
          [batchId],
        );
        return { completed: true, allDone: unfinished.rows[0]?.n !== true };
      }),
    releaseAll: async (owner) =>
      (await pool.query(
        `UPDATE shards SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = $1 AND state = 'running'`,
        [owner],
      )).rowCount ?? 0,
    releaseEveryLease: async () =>
      (await pool.query(`UPDATE shards SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL WHERE state = 'running'`))
        .rowCount ?? 0,
    release: async (batchId, index, owner) => {
      await pool.query(
        `UPDATE shards SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL
         WHERE batch_id = $1 AND shard_index = $2 AND lease_owner = $3 AND state = 'running'`,
        [batchId, index, owner],
      );
    },
    listForBatch: async (batchId) =>
      (await pool.query<ShardRow>('SELECT * FROM shards WHERE batch_id = $1 ORDER BY shard_index', [batchId])).rows.map(shardFromRow),
    hasLiveLease: async (batchId, nowMs) => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM shards WHERE batch_id = $1 AND state = 'running' AND lease_expires_ms >= $2`,
        [batchId, nowMs],
      );
      return (rows[0]?.n ?? 0) > 0;
    },
  };
}

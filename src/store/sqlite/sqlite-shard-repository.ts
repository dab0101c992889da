/**
 * ShardRepository on SQLite. Claiming is one IMMEDIATE transaction (select the best runnable
 * shard, lease it, and move its batch to RUNNING), so two workers on one database never take
 * the same shard. Order: higher batch priority first; among equal priorities the batch with
 * fewest shards in flight (fair sharing), then the older batch, then shard order.
 */
import type { Database } from 'better-sqlite3';
import type { ShardRepository } from '../store.js';
import { batchFromRow, RUNNABLE_BATCH_SQL, shardFromRow, type ShardRow } from '../row-mapping.js';

export function createSqliteShardRepository(db: Database): ShardRepository {
  // Two steps, so the cost grows with the number of active batches, not of shards: first the
  // batch (its fair-share count and runnable check are index seeks), then its first runnable shard.
  const pickBatch = db.prepare<[number, number], { id: string }>(
    `SELECT b.id FROM batches b
     WHERE ${RUNNABLE_BATCH_SQL('b')}
       AND (EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state = 'pending')
         OR EXISTS (SELECT 1 FROM shards s WHERE s.batch_id = b.id AND s.state = 'running' AND s.lease_expires_ms < ?))
     ORDER BY b.priority DESC,
       (SELECT COUNT(*) FROM shards r WHERE r.batch_id = b.id AND r.state = 'running' AND r.lease_expires_ms >= ?),
       b.create_time_ms, b.id
     LIMIT 1`,
  );
  const pickShard = db.prepare<[string, string, number], { shard_index: number }>(
    `SELECT MIN(shard_index) AS shard_index FROM (
       SELECT MIN(shard_index) AS shard_index FROM shards WHERE batch_id = ? AND state = 'pending'
       UNION ALL
       SELECT MIN(shard_index) FROM shards WHERE batch_id = ? AND state = 'running' AND lease_expires_ms < ?)`,
  );
  const lease = db.prepare<[string, number, string, number], ShardRow>(
    `UPDATE shards SET state = 'running', lease_owner = ?, lease_expires_ms = ?
     WHERE batch_id = ? AND shard_index = ? RETURNING *`,
  );
  const startBatch = db.prepare(
    `UPDATE batches SET state = 'BATCH_STATE_RUNNING', start_time_ms = ?, update_time_ms = ?
     WHERE id = ? AND state = 'BATCH_STATE_PENDING'`,
  );
  const batchById = db.prepare('SELECT * FROM batches WHERE id = ?');
  const shardState = db.prepare<[string, number], { state: string }>('SELECT state FROM shards WHERE batch_id = ? AND shard_index = ?');
  const renew = db.prepare(
    `UPDATE shards SET lease_expires_ms = ? WHERE batch_id = ? AND shard_index = ? AND lease_owner = ? AND state = 'running'
       AND EXISTS (SELECT 1 FROM batches b WHERE b.id = shards.batch_id AND ${RUNNABLE_BATCH_SQL('b')})`,
  );
  const progress = db.prepare(
    `UPDATE shards SET succeeded_count = ?, failed_count = ?, usage = ?
     WHERE batch_id = ? AND shard_index = ? AND lease_owner = ? AND state = 'running'
       AND EXISTS (SELECT 1 FROM batches b WHERE b.id = shards.batch_id AND ${RUNNABLE_BATCH_SQL('b')})`,
  );
  const finish = db.prepare(
    `UPDATE shards SET state = 'done', succeeded_count = ?, failed_count = ?, usage = ?, lease_owner = NULL, lease_expires_ms = NULL
     WHERE batch_id = ? AND shard_index = ? AND lease_owner = ? AND state = 'running'`,
  );
  const unfinished = db.prepare<[string, string], { n: number }>(
    `SELECT EXISTS (SELECT 1 FROM shards WHERE batch_id = ? AND state = 'pending')
         OR EXISTS (SELECT 1 FROM shards WHERE batch_id = ? AND state = 'running') AS n`,
  );
  const releaseAll = db.prepare(
    `UPDATE shards SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = ? AND state = 'running'`,
  );
  const releaseEvery = db.prepare(
    `UPDATE shards SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL WHERE state = 'running'`,
  );
  const releaseOne = db.prepare(
    `UPDATE shards SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL
     WHERE batch_id = ? AND shard_index = ? AND lease_owner = ? AND state = 'running'`,
  );
  const forBatch = db.prepare<[string], ShardRow>('SELECT * FROM shards WHERE batch_id = ? ORDER BY shard_index');
  const liveLease = db.prepare<[string, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM shards WHERE batch_id = ? AND state = 'running' AND lease_expires_ms >= ?`,
  );

  const claim = db.transaction((owner: string, nowMs: number, leaseUntilMs: number) => {
    const batch = pickBatch.get(nowMs, nowMs);
    if (!batch) return undefined;
    const index = pickShard.get(batch.id, batch.id, nowMs)?.shard_index;
    if (index === undefined || index === null) return undefined;
    // A shard still `running` when claimable is one whose holder's lease lapsed: a takeover.
    const takeover = shardState.get(batch.id, index)?.state === 'running';
    const shard = lease.get(owner, leaseUntilMs, batch.id, index);
    if (!shard) return undefined;
    const startedBatch = startBatch.run(nowMs, nowMs, batch.id).changes === 1;
    return {
      shard: shardFromRow(shard), batch: batchFromRow(batchById.get(batch.id) as Parameters<typeof batchFromRow>[0]), takeover, startedBatch,
    };
  });
  const complete = db.transaction((batchId: string, index: number, owner: string, succeeded: number, failed: number, usage: string | null) => {
    if (finish.run(succeeded, failed, usage, batchId, index, owner).changes !== 1) return { completed: false, allDone: false };
    return { completed: true, allDone: (unfinished.get(batchId, batchId)?.n ?? 0) === 0 };
  });

  return {
    claim: async (owner, nowMs, leaseUntilMs) => claim.immediate(owner, nowMs, leaseUntilMs),
    renew: async (batchId, index, owner, leaseUntilMs) => renew.run(leaseUntilMs, batchId, index, owner).changes === 1,
    recordProgress: async (batchId, index, owner, succeeded, failed, usage) =>
      progress.run(succeeded, failed, usage ? JSON.stringify(usage) : null, batchId, index, owner).changes === 1,
    complete: async (batchId, index, owner, succeeded, failed, usage) =>
      complete.immediate(batchId, index, owner, succeeded, failed, usage ? JSON.stringify(usage) : null),
    releaseAll: async (owner) => releaseAll.run(owner).changes,
    releaseEveryLease: async () => releaseEvery.run().changes,
    release: async (batchId, index, owner) => {
      releaseOne.run(batchId, index, owner);
    },
    listForBatch: async (batchId) => forBatch.all(batchId).map(shardFromRow),
    hasLiveLease: async (batchId, nowMs) => (liveLease.get(batchId, nowMs)?.n ?? 0) > 0,
  };
}

/**
 * Transactions on a pg pool: BEGIN, the body, COMMIT, on one client; ROLLBACK when the body throws.
 *
 * While checked out, a pg client has no 'error' listener of the pool's: if the server goes away
 * then (a restart, a network cut), the client emits 'error' and, unheard, that would end the
 * process. So the transaction listens itself, and hands a client that failed back to be destroyed.
 */
import type { Pool, PoolClient } from 'pg';

/** The subset of pg's client both a pool and a checked-out client offer. */
export type Queryable = Pick<PoolClient, 'query'>;

export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The failed query (if any) rejects with the error too; this only keeps it from being uncaught.
  const onError = (error: Error): void => {
    broken ??= error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // A client that cannot roll back is in an unknown state: destroy it instead of reusing it.
      broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    // release() puts the pool's own listener back first, so the client is never without one.
    client.release(broken);
    client.removeListener('error', onError);
  }
}

/** Whether `error` is PostgreSQL's unique violation, optionally on the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && (constraint === undefined || pgError.constraint === constraint);
}

/**
 * Serializes writers that must check one table before inserting into another (a file id is
 * unique across files and upload sessions): a transaction-scoped advisory lock on the pair.
 * The two-key form keeps these locks apart from the migration lock; the key is a hash, so two
 * ids may share a lock now and then, which only serializes them.
 */
export const FILE_ID_LOCK_CLASS = 0x6266; // 'bf'

export async function lockFileId(client: Queryable, tenantId: string, fileId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [FILE_ID_LOCK_CLASS, `${tenantId.length}:${tenantId}/${fileId}`]);
}

/**
 * Applies pending PostgreSQL migrations in one transaction under a transaction-scoped advisory
 * lock, so several processes starting at once apply each step exactly once: the others wait on
 * the lock, then find the steps recorded in schema_migrations and skip them. The schema itself
 * (when one is named) is created under the same lock, as CREATE SCHEMA IF NOT EXISTS is not
 * safe against a concurrent twin.
 */
import type { Pool } from 'pg';
import type { Migration } from '../migrations/postgres/index.js';
import { withTransaction } from './transaction.js';

/** Arbitrary, fixed: every batchmode process takes the same lock (ASCII "batchmod"). */
export const MIGRATION_LOCK_KEY = '7089075258760458084';

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function migratePostgres(pool: Pool, migrations: readonly Migration[], schema?: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    if (schema !== undefined) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
      await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    }
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)`);
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.rows.map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)', [
        migration.version, migration.name, Date.now(),
      ]);
    }
  });
}

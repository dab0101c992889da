/**
 * Applies pending migrations inside one IMMEDIATE transaction, so two processes opening the
 * same database at once cannot both apply the same step.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from '../migrations/sqlite/index.js';

export function migrateSqlite(db: Database, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)`);
  const applied = db.prepare('SELECT version FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)');
  db.transaction(() => {
    const done = new Set(applied.all().map((row) => (row as { version: number }).version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }
  }).immediate();
}

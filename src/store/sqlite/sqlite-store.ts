/**
 * The embedded default Store: one SQLite database file in WAL mode (readers never block the
 * writer), opened by better-sqlite3. Writes that must be atomic across rows use IMMEDIATE
 * transactions, which take the write lock up front instead of failing on upgrade.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { asDiskError } from '../disk-errors.js';
import { mapErrors } from '../map-errors.js';
import type { Store } from '../store.js';
import { migrateSqlite } from './migrate.js';
import { createSqliteBatchRepository } from './sqlite-batch-repository.js';
import { createSqliteCachedContentRepository } from './sqlite-cached-content-repository.js';
import { createSqliteDeliveryRepository, createSqliteWebhookEventRepository } from './sqlite-delivery-repository.js';
import { createSqliteFileRepository } from './sqlite-file-repository.js';
import { createSqliteQuotaUsageRepository } from './sqlite-tenant-usage.js';
import { createSqliteShardRepository } from './sqlite-shard-repository.js';
import { createSqliteUploadRepository } from './sqlite-upload-repository.js';
import { createSqliteSigningKeyRepository, createSqliteWebhookRepository } from './sqlite-webhook-repository.js';
import { createSqliteWorkerRepository } from './sqlite-worker-repository.js';

/** Opens (creating and migrating if needed) the database at `path`; `:memory:` works for tests. */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrateSqlite(db, sqliteMigrations);
  const ping = db.prepare('SELECT 1');
  // A full disk (SQLITE_FULL) is UNAVAILABLE, with a message that names the disk.
  return {
    files: mapErrors(createSqliteFileRepository(db), asDiskError),
    quotaUsage: mapErrors(createSqliteQuotaUsageRepository(db), asDiskError),
    uploads: mapErrors(createSqliteUploadRepository(db), asDiskError),
    batches: mapErrors(createSqliteBatchRepository(db), asDiskError),
    shards: mapErrors(createSqliteShardRepository(db), asDiskError),
    workers: mapErrors(createSqliteWorkerRepository(db), asDiskError),
    webhooks: mapErrors(createSqliteWebhookRepository(db), asDiskError),
    webhookEvents: mapErrors(createSqliteWebhookEventRepository(db), asDiskError),
    deliveries: mapErrors(createSqliteDeliveryRepository(db), asDiskError),
    signingKeys: mapErrors(createSqliteSigningKeyRepository(db), asDiskError),
    cachedContents: mapErrors(createSqliteCachedContentRepository(db), asDiskError),
    ping: async () => {
      ping.get();
    },
    close: async () => {
      db.close();
    },
  };
}

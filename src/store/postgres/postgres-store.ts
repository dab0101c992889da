/**
 * The scale-out Store: PostgreSQL through a pg connection pool. Many batchmode processes may
 * share one database; each applies pending migrations at start-up under an advisory lock, and
 * workers claim shards with FOR UPDATE SKIP LOCKED (see postgres-shard-repository.ts).
 *
 * While the database is down or restarting, every call fails fast (a connect timeout bounds
 * the wait for a connection) with UNAVAILABLE (guard-unavailable.ts), and the pool connects
 * afresh once the database is back: nothing needs restarting.
 */
import pg from 'pg';
import { postgresMigrations } from '../migrations/postgres/index.js';
import type { Store } from '../store.js';
import { migratePostgres, quoteIdentifier } from './migrate.js';
import { createPostgresBatchRepository } from './postgres-batch-repository.js';
import { createPostgresCachedContentRepository } from './postgres-cached-content-repository.js';
import { createPostgresDeliveryRepository, createPostgresWebhookEventRepository } from './postgres-delivery-repository.js';
import { createPostgresFileRepository } from './postgres-file-repository.js';
import { createPostgresQuotaUsageRepository } from './postgres-tenant-usage.js';
import { createPostgresShardRepository } from './postgres-shard-repository.js';
import { createPostgresUploadRepository } from './postgres-upload-repository.js';
import { createPostgresSigningKeyRepository, createPostgresWebhookRepository } from './postgres-webhook-repository.js';
import { createPostgresWorkerRepository } from './postgres-worker-repository.js';
import { asUnavailable } from './connection-failure.js';
import { guardUnavailable } from './guard-unavailable.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding batchmode's tables, created if missing (default: the server's search_path). */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** How long a call waits for a connection (a free one of the pool, or a new one) before failing (default 5000 ms). */
  connectTimeoutMs?: number;
}

const INT8_OID = 20;

/** Opens a pool on the database, creating the schema and applying pending migrations. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { connectionString, schema, maxConnections = 10, connectTimeoutMs = 5_000 } = options;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  }
  // BIGINT (times in ms, byte counts, COUNT(*)) as JS numbers, for this pool only: all fit in 2^53.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => Number(value));
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    connectionTimeoutMillis: connectTimeoutMs,
    // TCP keep-alive: a connection whose server vanished without a word (a host or network
    // gone, no FIN) is found out in minutes, not held for hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types,
    // A startup parameter, so every connection has it before its first query.
    ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(schema)}` }),
  });
  // An idle client's error (the server went away) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool, postgresMigrations, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    files: guardUnavailable(createPostgresFileRepository(pool)),
    quotaUsage: guardUnavailable(createPostgresQuotaUsageRepository(pool)),
    uploads: guardUnavailable(createPostgresUploadRepository(pool)),
    batches: guardUnavailable(createPostgresBatchRepository(pool)),
    shards: guardUnavailable(createPostgresShardRepository(pool)),
    workers: guardUnavailable(createPostgresWorkerRepository(pool)),
    webhooks: guardUnavailable(createPostgresWebhookRepository(pool)),
    webhookEvents: guardUnavailable(createPostgresWebhookEventRepository(pool)),
    deliveries: guardUnavailable(createPostgresDeliveryRepository(pool)),
    signingKeys: guardUnavailable(createPostgresSigningKeyRepository(pool)),
    cachedContents: guardUnavailable(createPostgresCachedContentRepository(pool)),
    connectionPool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: maxConnections }),
    ping: async () => {
      try {
        await pool.query('SELECT 1');
      } catch (error) {
        throw asUnavailable(error);
      }
    },
    close: async () => {
      await pool.end();
    },
  };
}

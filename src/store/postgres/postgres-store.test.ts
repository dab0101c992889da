import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import type { BatchRecord, ShardRecord } from '../../core/batch.js';
import { postgresMigrations } from '../migrations/postgres/index.js';
import { describeBatchStatsContract } from '../batch-stats.contract.js';
import { describeCachedContentContract } from '../cached-content.contract.js';
import { describeQuotaUsageContract } from '../quota-usage.contract.js';
import { describeOpenAIBatchStoreContract } from '../openai-batch-store.contract.js';
import { describeStoreContract } from '../store.contract.js';
import type { Store } from '../store.js';
import { makeDelivery } from '../testing/webhook-fixtures.js';
import { describeWebhookStoreContract } from '../webhook-store.contract.js';
import { openPostgresStore } from './postgres-store.js';

const connectionString = process.env.BATCHMODE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const newSchema = (): string => `bm_test_${randomBytes(6).toString('hex')}`;

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A store on a fresh schema of its own, dropped when the store is closed. */
async function openIsolated(schema = newSchema()): Promise<Store> {
  const store = await openPostgresStore({ connectionString, schema });
  return {
    ...store,
    close: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

describeStoreContract('PostgreSQL', () => openIsolated());
describeWebhookStoreContract('PostgreSQL', () => openIsolated());
describeOpenAIBatchStoreContract('PostgreSQL', () => openIsolated());
describeBatchStatsContract('PostgreSQL', () => openIsolated());
describeQuotaUsageContract('PostgreSQL', () => openIsolated());
describeCachedContentContract('PostgreSQL', () => openIsolated());

test('PostgreSQL: concurrent opens of one new schema both migrate it', async () => {
  const schema = newSchema();
  try {
    const stores = await Promise.all([
      openPostgresStore({ connectionString, schema }),
      openPostgresStore({ connectionString, schema }),
      openPostgresStore({ connectionString, schema }),
    ]);
    for (const store of stores) await store.ping();
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      assert.deepEqual(rows.map((row) => row.version), postgresMigrations.map((migration) => migration.version), 'each migration applied once');
    } finally {
      await client.end();
    }
    await Promise.all(stores.map((store) => store.close()));
  } finally {
    await dropSchema(schema);
  }
});

test('PostgreSQL: concurrent claimers never get the same shard', async () => {
  const store = await openIsolated();
  try {
    const batch: BatchRecord = {
      id: 'b1', tenantId: 't1', kind: 'generate', model: 'm', displayName: 'b', state: 'BATCH_STATE_PENDING', priority: 0,
      inputKind: 'file', inputFileId: 'f1', inputBlobKey: 'k', requestCount: 50, succeededCount: 0, failedCount: 0,
      resultsBlobKey: undefined, outputFileId: undefined, webhookConfig: undefined, error: undefined, createTimeMs: 1_000,
      updateTimeMs: 1_000, startTimeMs: undefined, endTimeMs: undefined, deadlineMs: 10_000_000, idempotencyKey: undefined,
      requestHash: undefined, usage: undefined,
    };
    const shards: ShardRecord[] = Array.from({ length: 50 }, (_, index) => ({
      batchId: 'b1', index, firstRequest: index, requestCount: 1, byteStart: index * 10, byteEnd: index * 10 + 10,
      state: 'pending', succeededCount: 0, failedCount: 0,
    }));
    await store.batches.create(batch, shards);
    const claimed: string[] = [];
    let starts = 0;
    await Promise.all(Array.from({ length: 5 }, async (_, worker) => {
      for (;;) {
        const claim = await store.shards.claim(`w${worker}`, 2_000, 1_000_000);
        if (!claim) return;
        claimed.push(`${claim.batch.id}/${claim.shard.index}`);
        if (claim.startedBatch) starts++;
      }
    }));
    assert.equal(claimed.length, 50, 'every shard claimed');
    assert.equal(starts, 1, 'exactly one claim started the batch');
    assert.equal(new Set(claimed).size, 50, 'no shard claimed twice');
    assert.equal((await store.batches.getById('b1'))?.state, 'BATCH_STATE_RUNNING');
    assert.equal(await store.shards.claim('late', 2_000, 1_000_000), undefined);
  } finally {
    await store.close();
  }
});

test('PostgreSQL: the connection pool reports its use', async () => {
  const store = await openIsolated();
  try {
    await store.ping();
    const idle = store.connectionPool?.();
    assert.equal(idle?.max, 10);
    assert.equal(idle?.waiting, 0);
    assert.ok(idle !== undefined && idle.total >= 1 && idle.idle === idle.total, 'after a query its connection is idle');
  } finally {
    await store.close();
  }
});

test('PostgreSQL: concurrent delivery claimers never get the same delivery', async () => {
  const store = await openIsolated();
  try {
    for (let index = 0; index < 40; index++) {
      await store.deliveries.insert(makeDelivery({ id: `msg_${String(index).padStart(2, '0')}`, nextAttemptMs: 1_000 + index }));
    }
    const claimed: string[] = [];
    await Promise.all(Array.from({ length: 4 }, async (_, worker) => {
      for (;;) {
        const batch = await store.deliveries.claim(`w${worker}`, 5_000, 60_000, 3);
        if (batch.length === 0) return;
        claimed.push(...batch.map((delivery) => delivery.id));
      }
    }));
    assert.equal(claimed.length, 40, 'every delivery claimed');
    assert.equal(new Set(claimed).size, 40, 'no delivery claimed twice');
    const [first, second] = await Promise.all([store.deliveries.claim('a', 100_000, 200_000, 40), store.deliveries.claim('b', 100_000, 200_000, 40)]);
    assert.equal(first.length + second.length, 40, 'lapsed leases: taken over once, by one of the two');
    assert.equal(new Set([...first, ...second].map((delivery) => delivery.id)).size, 40);
  } finally {
    await store.close();
  }
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBatchStatsContract } from '../batch-stats.contract.js';
import { describeCachedContentContract } from '../cached-content.contract.js';
import { describeQuotaUsageContract } from '../quota-usage.contract.js';
import { describeOpenAIBatchStoreContract } from '../openai-batch-store.contract.js';
import { describeStoreContract } from '../store.contract.js';
import type { Store } from '../store.js';
import { describeWebhookStoreContract } from '../webhook-store.contract.js';
import { openSqliteStore } from './sqlite-store.js';

/** A store on a database file in a temp dir of its own, removed when the store is closed. */
async function openInTempDir(): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'batchmode-sqlite-'));
  const removeDir = (): Promise<void> => rm(dir, { recursive: true, force: true });
  let store: Store;
  try {
    store = openSqliteStore(join(dir, 'batchmode.db'));
  } catch (error) {
    await removeDir();
    throw error;
  }
  return {
    ...store,
    close: async () => {
      try {
        await store.close();
      } finally {
        await removeDir();
      }
    },
  };
}

describeStoreContract('SQLite (file in a temp dir)', openInTempDir);
describeWebhookStoreContract('SQLite (file in a temp dir)', openInTempDir);
describeOpenAIBatchStoreContract('SQLite (file in a temp dir)', openInTempDir);
describeBatchStatsContract('SQLite (file in a temp dir)', openInTempDir);
describeQuotaUsageContract('SQLite (file in a temp dir)', openInTempDir);
describeCachedContentContract('SQLite (file in a temp dir)', openInTempDir);

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract } from '../store.contract.js';
import { openSqliteStore } from './sqlite-store.js';

describeStoreContract('SQLite (file in a temp dir)', async () =>
  openSqliteStore(join(mkdtempSync(join(tmpdir(), 'batchmode-sqlite-')), 'batchmode.db')),
);

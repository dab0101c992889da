/** SQLite migrations in order. Append-only: never edit a released migration, add the next number. */
import { sql as files } from './0001-files.js';
import { sql as batches } from './0002-batches.js';
import { sql as idempotency } from './0003-idempotency.js';
import { sql as shardStateIndex } from './0004-shard-state-index.js';
import { sql as usage } from './0005-usage.js';
import { sql as workers } from './0006-workers.js';
import { sql as stopState } from './0007-stop-state.js';
import { sql as webhooks } from './0008-webhooks.js';
import { sql as openaiBatches } from './0009-openai-batches.js';
import { sql as batchTokenEstimate } from './0010-batch-token-estimate.js';
import { sql as cachedContents } from './0011-cached-contents.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly Migration[] = [
  { version: 1, name: 'files', sql: files },
  { version: 2, name: 'batches', sql: batches },
  { version: 3, name: 'idempotency', sql: idempotency },
  { version: 4, name: 'shard-state-index', sql: shardStateIndex },
  { version: 5, name: 'usage', sql: usage },
  { version: 6, name: 'workers', sql: workers },
  { version: 7, name: 'stop-state', sql: stopState },
  { version: 8, name: 'webhooks', sql: webhooks },
  { version: 9, name: 'openai-batches', sql: openaiBatches },
  { version: 10, name: 'batch-token-estimate', sql: batchTokenEstimate },
  { version: 11, name: 'cached-contents', sql: cachedContents },
];

/** PostgreSQL migrations in order. Append-only: never edit a released migration, add the next number. */
import type { Migration } from '../sqlite/index.js';
import { sql as initial } from './0001-initial.js';
import { sql as workers } from './0002-workers.js';
import { sql as stopState } from './0003-stop-state.js';
import { sql as webhooks } from './0004-webhooks.js';
import { sql as openaiBatches } from './0005-openai-batches.js';
import { sql as batchTokenEstimate } from './0006-batch-token-estimate.js';
import { sql as cachedContents } from './0007-cached-contents.js';

export type { Migration };

export const postgresMigrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'workers', sql: workers },
  { version: 3, name: 'stop-state', sql: stopState },
  { version: 4, name: 'webhooks', sql: webhooks },
  { version: 5, name: 'openai-batches', sql: openaiBatches },
  { version: 6, name: 'batch-token-estimate', sql: batchTokenEstimate },
  { version: 7, name: 'cached-contents', sql: cachedContents },
];

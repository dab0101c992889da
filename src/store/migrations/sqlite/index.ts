/** SQLite migrations in order. Append-only: never edit a released migration, add the next number. */
import { sql as files } from './0001-files.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly Migration[] = [{ version: 1, name: 'files', sql: files }];

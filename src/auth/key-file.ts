/**
 * The key a fresh install uses: with no BATCHMODE_API_KEYS, batchmode generates one key on
 * first start and keeps it in `<data-dir>/api-key` (mode 0600), so the next start, the CLI and
 * the tests find the same key.
 */
import { randomId } from '../lib/ids.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const keyFilePath = (dataDir: string): string => join(dataDir, 'api-key');

/** Reads the stored key, or creates and stores a new one; `created` tells which. */
export function loadOrCreateKey(dataDir: string): { apiKey: string; created: boolean } {
  const path = keyFilePath(dataDir);
  if (existsSync(path)) {
    const apiKey = readFileSync(path, 'utf8').trim();
    if (apiKey.length > 0) return { apiKey, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const apiKey = `bm-${randomId(40)}`;
  writeFileSync(path, `${apiKey}\n`, { mode: 0o600 });
  return { apiKey, created: true };
}

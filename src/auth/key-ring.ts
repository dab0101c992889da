/**
 * API keys and tenants. Each key is its own tenant; the tenant id is derived from the key
 * (a SHA-256 prefix), so it is stable across restarts and the database never holds the key.
 */
import { createHash } from 'node:crypto';

export interface KeyRing {
  /** The tenant of a key, or undefined when the key is not allowed. */
  tenantOf(apiKey: string): string | undefined;
}

export function tenantIdOf(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 24);
}

export function createKeyRing(apiKeys: readonly string[]): KeyRing {
  const tenants = new Map(apiKeys.map((key) => [key, tenantIdOf(key)]));
  return { tenantOf: (apiKey) => tenants.get(apiKey) };
}

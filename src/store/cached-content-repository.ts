/** The port of stored caches (core/cached-content.ts), per tenant; both adapters run cached-content.contract.ts. */
import type { CachedContentRecord } from '../core/cached-content.js';
import type { ListOptions } from './store.js';

export interface CachedContentRepository {
  /** Inserts a new cache; resolves false when the tenant already has one with that id. */
  insert(record: CachedContentRecord): Promise<boolean>;
  get(tenantId: string, id: string): Promise<CachedContentRecord | undefined>;
  /** Newest first, then by id; `after` continues after that item. Expired ones are included. */
  list(tenantId: string, options: ListOptions): Promise<CachedContentRecord[]>;
  /** Sets the expiry and update time; resolves the updated record, or undefined when there is none. */
  updateExpiry(tenantId: string, id: string, expireTimeMs: number, nowMs: number): Promise<CachedContentRecord | undefined>;
  /** Removes the record and returns it, or undefined if absent. */
  delete(tenantId: string, id: string): Promise<CachedContentRecord | undefined>;
  /** Removes up to `limit` caches whose expiry is at or before `nowMs`, any tenant; resolves how many. */
  deleteExpired(nowMs: number, limit: number): Promise<number>;
}

/** What the files services need; server/start-api.ts builds it. */
import type { EngineEvents } from '../core/engine-events.js';
import type { QuotaConfig } from '../core/quota.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import type { UploadState } from './upload-state.js';

export interface FileServiceDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  randomId: IdGenerator;
  logger: Logger;
  /** Largest file accepted (Gemini: 2 GB); a tenant's quota may be smaller. */
  maxUploadBytes: number;
  /** Per-tenant file quotas (stored bytes, largest file); default DEFAULT_QUOTAS of core/quota.ts. */
  quotas?: QuotaConfig;
  /** Files expire this long after they are created (Gemini: 48 h). */
  fileRetentionMs: number;
  /**
   * The in-memory state of resumable uploads, shared by the upload service and the sweep
   * (index.ts passes one to both); without it the upload service keeps a private one.
   */
  uploadState?: UploadState;
  /** Told of the bytes each upload stores (metrics); default nobody. */
  events?: Pick<EngineEvents, 'uploadBytes'>;
}

/** Length of generated file ids (Gemini's look like `frh6ua11nk3o`). */
export const FILE_ID_LENGTH = 12;

/** Gemini reports `sha256Hash` as base64 of the hex digest. */
export const sha256HashField = (sha256Hex: string): string => Buffer.from(sha256Hex).toString('base64');

/**
 * One file batch through a bench server, timed the way the figures report it: the resumable
 * upload, the create (answered after whole-file validation), then polls until it is done, noting
 * when the poller first saw every request counted (no `pendingRequestCount`). Fails unless every
 * request succeeded.
 */
import { expectAllSucceeded, type ApiClient, type BatchOperation, type BatchWait } from './api-client.js';

export interface TimedBatch {
  /** `batches/…` */
  name: string;
  uploadMs: number;
  /** performance.now() when the create was sent, and how long its answer took. */
  createStartedMs: number;
  createMs: number;
  waited: BatchWait;
  /** performance.now() at the first poll that saw every request counted (undefined: never before the end). */
  allCountedMs: number | undefined;
}

export async function runTimedBatch(
  api: ApiClient,
  inputPath: string,
  label: string,
  options: { requests: number; intervalMs: number; timeoutMs: number; onPoll?: (operation: BatchOperation) => void },
): Promise<TimedBatch> {
  const uploadStarted = performance.now();
  const file = await api.uploadResumable(inputPath, { displayName: label });
  const uploadMs = performance.now() - uploadStarted;
  const createStartedMs = performance.now();
  const created = await api.createFileBatch(file.name, label);
  const createMs = performance.now() - createStartedMs;
  let allCountedMs: number | undefined;
  const waited = await api.waitForBatch(created.name, {
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    onPoll: (operation) => {
      if (allCountedMs === undefined && operation.metadata.batchStats?.pendingRequestCount === undefined) allCountedMs = performance.now();
      options.onPoll?.(operation);
    },
  });
  expectAllSucceeded(waited.operation, options.requests);
  return { name: created.name, uploadMs, createStartedMs, createMs, waited, allCountedMs };
}

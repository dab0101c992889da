/**
 * The batch lifecycle as the API sees it: the one entry point of batches/ for the HTTP layer
 * (lint keeps api/ from importing anything else here). The worker side (worker/) imports the
 * modules it runs directly: finalize, the shard log, result lines.
 */
export { createBatchService, batchNotFound } from './batch-service.js';
export type { BatchService, BatchServiceDeps, BatchView, BatchPage } from './batch-service.js';
export type { BatchProgressView, PendingReason, WorkerStatus, ModelStatus, LimiterSnapshot } from './batch-progress.js';
export { createBatchSubmitter } from './submit-batch.js';
export type { BatchEstimate, BatchSubmitter, SubmitBatchInput } from './submit-batch.js';
export { createOpenAIBatchSubmitter } from './submit-openai-batch.js';
export type { SubmitOpenAIBatchInput } from './submit-openai-batch.js';

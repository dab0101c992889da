/** The `:progress` extension's JSON (camelCase, counts as int64 strings like batchStats). */
import { toTimestamp } from '../../lib/clock.js';
import type { BatchProgressView } from '../../batches/index.js';

export function toProgressBody(view: BatchProgressView, stateNames: 'batch' | 'job'): Record<string, unknown> {
  const { batch } = view;
  const limiter = view.model?.limiter;
  return {
    name: `batches/${batch.id}`,
    state: stateNames === 'job' ? batch.state.replace('BATCH_STATE_', 'JOB_STATE_') : batch.state,
    requestCount: String(batch.requestCount),
    successfulRequestCount: String(view.succeededCount),
    failedRequestCount: String(view.failedCount),
    pendingRequestCount: String(view.pendingCount),
    percentComplete: view.percentComplete,
    ...(view.throughputPerSecond !== undefined ? { requestsPerSecond: view.throughputPerSecond } : {}),
    ...(view.etaSeconds !== undefined ? { etaSeconds: view.etaSeconds } : {}),
    ...(view.pendingReason ? { pendingReason: view.pendingReason } : {}),
    queuePosition: view.queuePosition,
    createTime: toTimestamp(batch.createTimeMs),
    ...(batch.startTimeMs !== undefined ? { startTime: toTimestamp(batch.startTimeMs) } : {}),
    updateTime: toTimestamp(batch.updateTimeMs),
    deadline: toTimestamp(batch.deadlineMs),
    ...(limiter
      ? {
          modelLimits: {
            concurrencyLimit: limiter.concurrencyLimit,
            inFlight: limiter.inFlight,
            waiting: limiter.waiting,
            ...(limiter.rateLimitedUntilMs !== undefined ? { rateLimitedUntil: toTimestamp(limiter.rateLimitedUntilMs) } : {}),
          },
        }
      : {}),
    ...(view.model?.lastFailure ? { lastBackendFailure: { time: toTimestamp(view.model.lastFailure.atMs), status: view.model.lastFailure.status } } : {}),
  };
}

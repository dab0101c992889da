/**
 * The operator's log of what happens to batches: one JSON line per lifecycle event (created,
 * running, stop requested, finished), per backend failure or retry, and per shard takeover,
 * written through the process's logger as an EngineEvents listener. Successful backend calls,
 * ordinary shard claims, HTTP requests (app.ts logs those) and upload bytes are metrics, not lines.
 *
 * Field names are the same on every line (and on the request and webhook lines elsewhere):
 * `event` (what happened, dotted: `batch.created`), `batch`, `tenant`, `model`, `state`,
 * `durationMs` and other `…Ms` durations in milliseconds, `status` an HTTP status (number),
 * `rpcStatus` a google.rpc status name, `attempt` (1 for the first try), `error` / `message`
 * what went wrong. The README's "Logs" section lists them.
 *
 * Backend lines are rate limited per model (log-rate-limit.ts): a backend failing every call
 * writes at most `backendLinesPerWindow` lines per model per window, then one `log.suppressed`
 * line with the count when the window ends (from a timer) or when the next line is admitted.
 */
import type {
  BackendCallEvent, BatchCreatedEvent, BatchFinishedEvent, BatchStartedEvent, BatchStopRequestedEvent, EngineEventListener, ShardClaimedEvent,
} from '../core/engine-events.js';
import type { Logger } from '../lib/logger.js';
import { createLogRateLimiter, type SuppressedLines } from './log-rate-limit.js';

export interface LifecycleLogOptions {
  /** Backend failure and retry lines per model and window (default 20). */
  backendLinesPerWindow?: number;
  /** The rate limit's window (default 60 s). */
  windowMs?: number;
  /** The clock of the rate limit (default Date.now). */
  now?: () => number;
  /** Runs `report` after `delayMs` (default an unref'd setTimeout): reports suppressed lines when a window ends. */
  schedule?: (report: () => void, delayMs: number) => { cancel(): void };
}

export interface LifecycleLog extends EngineEventListener {
  /** Writes the `log.suppressed` lines of windows that have ended (the timer does this too). */
  flush(): void;
  /** Stops the timer; counts still suppressed are reported first. */
  close(): void;
}

const STOP_MESSAGES: Record<BatchStopRequestedEvent['stopState'], string> = {
  BATCH_STATE_CANCELLED: 'batch cancel requested',
  BATCH_STATE_EXPIRED: 'batch expiring: its completion window ended',
  BATCH_STATE_FAILED: 'batch failing',
};

export function createLifecycleLog(logger: Logger, options: LifecycleLogOptions = {}): LifecycleLog {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? 60_000;
  const schedule = options.schedule ?? unrefTimeout;
  const limiter = createLogRateLimiter({ limit: options.backendLinesPerWindow ?? 20, windowMs, now });
  let timer: { cancel(): void } | undefined;

  const reportSuppressed = ({ key, suppressed }: SuppressedLines): void => {
    logger.warn(`suppressed ${suppressed} similar lines`, { event: 'log.suppressed', model: key, suppressed, windowMs });
  };
  const flush = (): void => {
    timer?.cancel();
    timer = undefined;
    for (const lines of limiter.drainEnded()) reportSuppressed(lines);
    arm();
  };
  const arm = (): void => {
    const at = limiter.nextReportAt();
    if (at === undefined || timer) return;
    timer = schedule(flush, Math.max(0, at - now()));
  };
  /** Writes `line` unless the model's backend lines are over their limit. */
  const limited = (model: string, line: () => void): void => {
    const { admitted, suppressed } = limiter.admit(model);
    if (suppressed > 0) reportSuppressed({ key: model, suppressed });
    if (admitted) line();
    else arm();
  };

  return {
    batchCreated(event: BatchCreatedEvent) {
      logger.info('batch created', {
        event: 'batch.created', batch: event.batchId, tenant: event.tenantId, model: event.model, kind: event.kind,
        surface: event.surface, requestCount: event.requestCount, priority: event.priority, state: event.state,
      });
    },

    batchStarted(event: BatchStartedEvent) {
      logger.info('batch running', { event: 'batch.running', batch: event.batchId, tenant: event.tenantId, model: event.model, queuedMs: roundMs(event.queuedMs) });
    },

    batchStopRequested(event: BatchStopRequestedEvent) {
      const level = event.stopState === 'BATCH_STATE_FAILED' ? 'warn' : 'info';
      logger[level](STOP_MESSAGES[event.stopState], {
        event: 'batch.stopping', batch: event.batchId, tenant: event.tenantId, model: event.model, state: event.stopState,
        ...(event.reason === undefined ? {} : { reason: event.reason }),
      });
    },

    batchFinished(event: BatchFinishedEvent) {
      const level = event.state === 'BATCH_STATE_FAILED' || event.state === 'BATCH_STATE_EXPIRED' ? 'warn' : 'info';
      logger[level]('batch finished', {
        event: 'batch.finished', batch: event.batchId, tenant: event.tenantId, model: event.model, state: event.state,
        requestCount: event.requestCount, succeeded: event.succeeded, failed: event.failed,
        ...(event.usage === undefined ? {} : { usage: event.usage }),
        durationMs: roundMs(event.durationMs), finalizeMs: roundMs(event.finalizeMs),
      });
    },

    backendCall(event: BackendCallEvent) {
      if (event.outcome === 'ok') return;
      const fields = {
        model: event.model, ...(event.batchId === undefined ? {} : { batch: event.batchId }),
        ...(event.status === undefined ? {} : { rpcStatus: event.status }), attempt: event.attempt, latencyMs: roundMs(event.latencyMs),
      };
      const message = event.message === undefined ? {} : { message: event.message };
      if (event.retryInMs !== undefined) {
        const retryInMs = event.retryInMs;
        limited(event.model, () => logger.info('backend call failed; retrying', {
          event: 'backend.retry', ...fields, retryInMs: roundMs(retryInMs), retryAfter: event.retryAfter === true, ...message,
        }));
        return;
      }
      // No retry follows: a permanent failure, or a retryable one out of attempts.
      limited(event.model, () => logger.warn('backend call failed', { event: 'backend.failure', ...fields, outcome: event.outcome, ...message }));
    },

    shardClaimed(event: ShardClaimedEvent) {
      if (!event.takeover) return;
      logger.info('shard taken over: its lease had lapsed', { event: 'shard.takeover', batch: event.batchId, model: event.model, shard: event.shardIndex });
    },

    flush,

    close() {
      timer?.cancel();
      timer = undefined;
      for (const lines of limiter.drainAll()) reportSuppressed(lines);
    },
  };
}

/** Milliseconds to the microsecond: enough, and no float noise (`63.021349999999984`). */
const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;

function unrefTimeout(report: () => void, delayMs: number): { cancel(): void } {
  const handle = setTimeout(report, delayMs);
  handle.unref();
  return { cancel: () => clearTimeout(handle) };
}

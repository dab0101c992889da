/**
 * What happens in the engine and at the HTTP edge, as typed events for whoever watches: the
 * Prometheus metrics and the operator's lifecycle log (src/observability/) both consume them;
 * the engine does not know either exists. Emitting is synchronous and must never throw into the
 * engine: `createEventFanOut` isolates each listener.
 *
 * Labels that end up in metrics are bounded by construction: models are the configured model
 * names, routes are route templates, never ids or keys. Ids (batch, tenant, request) are here
 * for the log only.
 */
import type { BatchKind, BatchState } from './batch.js';
import type { TokenUsage } from './usage.js';

export type BatchSurface = 'native' | 'openai';

export interface BatchCreatedEvent {
  tenantId: string;
  batchId: string;
  model: string;
  kind: BatchKind;
  surface: BatchSurface;
  requestCount: number;
  priority: number;
  /** A batch whose input failed validation is created terminal (OpenAI surface). */
  state: BatchState;
}

export interface BatchStartedEvent {
  tenantId: string;
  batchId: string;
  model: string;
  /** Time from create to the first shard claimed. */
  queuedMs: number;
}

export interface BatchStopRequestedEvent {
  tenantId: string;
  batchId: string;
  model: string;
  /** The state the batch will end in. */
  stopState: 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED' | 'BATCH_STATE_FAILED';
  reason?: string;
}

export interface BatchFinishedEvent {
  tenantId: string;
  batchId: string;
  model: string;
  state: BatchState;
  requestCount: number;
  succeeded: number;
  failed: number;
  usage: TokenUsage | undefined;
  /** Create to terminal. */
  durationMs: number;
  /** Writing the results (finalize) alone. */
  finalizeMs: number;
}

export type BackendCallOutcome = 'ok' | 'retryable' | 'failed';

export interface BackendCallEvent {
  model: string;
  batchId: string | undefined;
  outcome: BackendCallOutcome;
  /** The google.rpc status name of a failure. */
  status?: string;
  latencyMs: number;
  /** 1 for the first try. */
  attempt: number;
  /** The wait before the next try, when one follows (Retry-After or back-off). */
  retryInMs?: number;
  /** Whether that wait came from the backend's Retry-After. */
  retryAfter?: boolean;
  message?: string;
}

export interface ShardClaimedEvent {
  batchId: string;
  model: string;
  shardIndex: number;
  /** Another holder's lease had lapsed (a crash or a stall): a takeover. */
  takeover: boolean;
}

export interface HttpRequestEvent {
  /** The matched route's template (`/v1beta/batches/{id}`), or `unmatched`. */
  route: string;
  method: string;
  status: number;
  durationMs: number;
  requestId: string;
}

export interface UploadBytesEvent {
  tenantId: string;
  bytes: number;
}

/** Every event; each method is optional to implement through `EngineEventListener`. */
export interface EngineEvents {
  batchCreated(event: BatchCreatedEvent): void;
  batchStarted(event: BatchStartedEvent): void;
  batchStopRequested(event: BatchStopRequestedEvent): void;
  batchFinished(event: BatchFinishedEvent): void;
  backendCall(event: BackendCallEvent): void;
  shardClaimed(event: ShardClaimedEvent): void;
  httpRequest(event: HttpRequestEvent): void;
  uploadBytes(event: UploadBytesEvent): void;
}

export type EngineEventListener = Partial<EngineEvents>;

/** Every event's name (a worker thread forwards events by name, server/thread-events.ts). */
export const ENGINE_EVENT_NAMES: readonly (keyof EngineEvents)[] = [
  'batchCreated', 'batchStarted', 'batchStopRequested', 'batchFinished', 'backendCall', 'shardClaimed', 'httpRequest', 'uploadBytes',
];

/** Events that go nowhere (tests, and processes nobody watches). */
export const NO_EVENTS: EngineEvents = createEventFanOut([]);

/**
 * One EngineEvents that hands each event to every listener that implements it. A listener that
 * throws is reported to `onListenerError` (default: ignored) and never reaches the emitter.
 */
export function createEventFanOut(listeners: readonly EngineEventListener[], onListenerError: (error: unknown) => void = () => undefined): EngineEvents {
  const events = {} as Record<keyof EngineEvents, (event: never) => void>;
  for (const name of ENGINE_EVENT_NAMES) {
    const handlers = listeners.flatMap((listener): ((event: never) => void)[] => {
      const handler = listener[name];
      return handler ? [handler.bind(listener)] : [];
    });
    events[name] = (event: never) => {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    };
  }
  return events;
}

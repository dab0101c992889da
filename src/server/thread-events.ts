/**
 * A worker thread's engine events, carried to the main thread's metrics and lifecycle log
 * (worker-threads.ts). Events are sent in batches, at most `flushMs` after they happened or once
 * `maxBatch` are waiting, so a million backend calls are a few thousand messages, not a million;
 * their order is kept. The main thread replays each batch into its own `EngineEvents`.
 */
import { ENGINE_EVENT_NAMES, type EngineEvents } from '../core/engine-events.js';

/** One event as it crosses to the main thread: its name and its (structured-clonable) payload. */
export type ForwardedEvent = [name: keyof EngineEvents, event: unknown];

export interface ForwardingEvents {
  /** Give this to the thread's engine. */
  events: EngineEvents;
  /** Sends what is waiting now (before the thread stops). */
  flush(): void;
}

const DEFAULT_FLUSH_MS = 100;
const DEFAULT_MAX_BATCH = 2_000;

export function createForwardingEvents(
  send: (events: ForwardedEvent[]) => void,
  options: { flushMs?: number; maxBatch?: number } = {},
): ForwardingEvents {
  const flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  let waiting: ForwardedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    send(batch);
  };
  const events = {} as Record<keyof EngineEvents, (event: unknown) => void>;
  for (const name of ENGINE_EVENT_NAMES) {
    events[name] = (event) => {
      waiting.push([name, event]);
      if (waiting.length >= maxBatch) flush();
      else if (!timer) {
        timer = setTimeout(flush, flushMs);
        timer.unref();
      }
    };
  }
  return { events: events, flush };
}

const KNOWN = new Set<string>(ENGINE_EVENT_NAMES);

/** Hands each forwarded event to `events`, in order; an unknown name is skipped. */
export function replayEvents(events: EngineEvents, batch: readonly ForwardedEvent[]): void {
  for (const [name, event] of batch) {
    if (KNOWN.has(name)) (events[name] as (event: unknown) => void)(event);
  }
}

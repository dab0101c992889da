/**
 * The webhook dispatcher, run by every batchmode process: each round it fans the outbox's
 * events out into deliveries, then claims the deliveries that are due (under a lease, so two
 * processes never send one at the same time) and sends them concurrently, up to `batchSize` in
 * flight. A freed slot or `wake()` starts the next round at once; otherwise it polls every
 * `pollMs`. A round that fails (the store away) is logged and the loop backs off and goes on.
 */
import type { SigningKey } from '../core/webhook.js';
import { onAbort } from '../lib/abort.js';
import { createBackOff } from '../lib/back-off.js';
import type { Clock } from '../lib/clock.js';
import { randomId as defaultRandomId, type IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';
import { attemptDelivery, type AttemptDeps } from './attempt-delivery.js';
import type { DestinationPolicy } from './destination-policy.js';
import { fanOutEvents } from './fan-out.js';
import { createDeliverySender } from './send-delivery.js';
import { ensureSigningKey } from './signing-keys.js';

export interface DispatcherSettings {
  /** How often the outbox and due deliveries are looked at when nothing wakes the loop. */
  pollMs: number;
  /** A receiver's time to connect and answer one attempt. */
  timeoutMs: number;
  /** How long after its creation a delivery is retried before it fails. */
  retryWindowMs: number;
  destinationPolicy: DestinationPolicy;
  /** Deliveries in flight at once (and claimed, and events fanned out, per store call); default 16. */
  batchSize?: number;
}

export interface WebhookDispatcherDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** This process's id, the owner of the delivery leases it takes. */
  owner: string;
  /** lib/abort.ts abortableSleep: resolves after `ms`, rejects when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  settings: DispatcherSettings;
  randomId?: IdGenerator;
  /** The retry jitter's source (tests make it fixed). */
  random?: () => number;
}

export interface WebhookDispatcher {
  /** Starts the loop (once). */
  start(): void;
  /** Ends the loop, lets in-flight sends finish (cut off past the timeout), closes the connections. */
  stop(): Promise<void>;
  /** One round: fans out the outbox, then claims and sends the due deliveries; resolves when those sends are recorded. */
  runOnce(): Promise<void>;
  /** Runs a round now (an event or a ping was just queued). */
  wake(): void;
}

export const DEFAULT_BATCH_SIZE = 16;
/** A lease covers the attempt's timeout plus this, for the store round trips around it. */
const LEASE_MARGIN_MS = 15_000;
/** Events fanned out per round at most, in pages of batchSize, before the sends get their turn. */
const MAX_FAN_OUT_PAGES = 10;
/** Finished deliveries are kept this long (for operators), then pruned. */
export const FINISHED_RETENTION_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { store, clock, logger, owner, settings } = deps;
  const batchSize = settings.batchSize ?? DEFAULT_BATCH_SIZE;
  const randomId = deps.randomId ?? defaultRandomId;
  const sender = createDeliverySender({ timeoutMs: settings.timeoutMs, destinationPolicy: settings.destinationPolicy });
  /** Ends the loop's waits at stop. */
  const shutdown = new AbortController();
  /** Aborts sends still running when stop's grace is over. */
  const cutOff = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const backOff = createBackOff(clock, { initialMs: 500, maxMs: 30_000 });
  let running = false;
  let stopping: Promise<void> | undefined;
  let loopDone: Promise<void> = Promise.resolve();
  let wakeController: AbortController | undefined;
  /** A wake that came while a round ran: the next wait returns at once. */
  let wokenWhileBusy = false;
  let lastPruneMs = -Infinity;

  /** The newest key, read once per round (a rotation elsewhere is picked up by the next one). */
  let keyOfRound: Promise<SigningKey> | undefined;
  const signingKey = (): Promise<SigningKey> => {
    keyOfRound ??= ensureSigningKey(store, clock).catch((error: unknown) => {
      keyOfRound = undefined;
      throw error;
    });
    return keyOfRound;
  };
  const attemptDeps: AttemptDeps = {
    store, clock, logger, owner, sender, signingKey, retryWindowMs: settings.retryWindowMs,
    ...(deps.random ? { random: deps.random } : {}),
  };

  const wake = (): void => {
    if (wakeController) wakeController.abort();
    else wokenWhileBusy = true;
  };

  /** Waits `ms`, or less when stopping or (if `wakeable`) woken. */
  const idle = async (ms: number, wakeable: boolean): Promise<void> => {
    if (wakeable && wokenWhileBusy) {
      wokenWhileBusy = false;
      return;
    }
    const controller = new AbortController();
    const dispose = onAbort(shutdown.signal, () => controller.abort());
    if (wakeable) wakeController = controller;
    try {
      await deps.sleep(ms, controller.signal);
    } catch {
      // Woken, or stopping.
    } finally {
      dispose();
      if (wakeController === controller) wakeController = undefined;
    }
  };

  const launch = (delivery: Parameters<typeof attemptDelivery>[0]): Promise<void> => {
    const task: Promise<void> = attemptDelivery(delivery, attemptDeps, cutOff.signal)
      .then(() => undefined)
      .catch((error: unknown) => {
        logger.error('webhook delivery attempt broke off (a store call failed); it is sent again once its lease lapses', { delivery: delivery.id, error });
      })
      .finally(() => {
        inFlight.delete(task);
        wake();
      });
    inFlight.add(task);
    return task;
  };

  const prune = async (): Promise<void> => {
    const now = clock.now();
    if (now - lastPruneMs < PRUNE_EVERY_MS) return;
    lastPruneMs = now;
    const pruned = await store.deliveries.pruneFinished(now - FINISHED_RETENTION_MS);
    if (pruned > 0) logger.debug('finished webhook deliveries pruned', { pruned });
  };

  /** Fans out, then claims as many due deliveries as there are free slots. `more`: work may be waiting already. */
  const round = async (): Promise<{ tasks: Promise<void>[]; more: boolean }> => {
    keyOfRound = undefined;
    let more = false;
    for (let page = 0; page < MAX_FAN_OUT_PAGES; page++) {
      const { read } = await fanOutEvents(store, clock, randomId, batchSize);
      if (read < batchSize) break;
      if (page === MAX_FAN_OUT_PAGES - 1) more = true;
    }
    await prune();
    const free = batchSize - inFlight.size;
    if (free <= 0 || cutOff.signal.aborted) return { tasks: [], more };
    const now = clock.now();
    const claimed = await store.deliveries.claim(owner, now, now + settings.timeoutMs + LEASE_MARGIN_MS, free);
    return { tasks: claimed.map(launch), more: more || claimed.length === free };
  };

  const loop = async (): Promise<void> => {
    while (running) {
      let more = false;
      try {
        ({ more } = await round());
        backOff.succeeded();
      } catch (error) {
        backOff.failed();
        logger.error('webhook dispatch round failed; retrying', { error, retryInMs: backOff.delayMs() });
      }
      if (!running) break;
      if (backOff.delayMs() > 0) await idle(backOff.delayMs(), false);
      else if (!more) await idle(settings.pollMs, true);
    }
  };

  return {
    start() {
      if (running || stopping) return;
      running = true;
      loopDone = loop();
    },

    stop() {
      stopping ??= (async () => {
        running = false;
        shutdown.abort();
        await loopDone;
        // Each send ends on its own within the timeout; one still running past it (and a margin) is cut.
        const sends = Promise.all([...inFlight]);
        const grace = new AbortController();
        await Promise.race([sends, deps.sleep(settings.timeoutMs + 1_000, grace.signal).catch(() => undefined)]);
        grace.abort();
        cutOff.abort();
        await sends;
        await sender.close();
      })();
      return stopping;
    },

    async runOnce() {
      const { tasks } = await round();
      await Promise.all(tasks);
    },

    wake,
  };
}

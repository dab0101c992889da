/**
 * Per-call deadlines for backend calls, cheap enough for tens of thousands of calls a second.
 *
 * Each call needs a signal that aborts when its caller's signal aborts (cancel, shutdown) or when
 * its deadline passes, and afterwards the knowledge of which of the two it was: a deadline is a
 * retryable DEADLINE_EXCEEDED, a cancel means "stop, no result". A signal and a timer per call
 * would also give every call its own entry in the per-signal fan-out of lib/abort.ts. Instead,
 * calls that start in the same short slot (1/16 of the timeout, at most one second) with the same
 * caller signal and timeout share one deadline: one AbortController and one timer per slot. Every call so gets at least its full
 * timeout and at most one slot more.
 *
 * A deadline group lives until its timer fires (nothing per call to release); the timers are
 * unref'd, so they never keep a finished process alive. A caller signal has one `onAbort`
 * callback, which aborts its groups with the caller's reason and clears their timers.
 */
import { onAbort } from '../lib/abort.js';

/** The deadline of one call. */
export interface CallDeadline {
  /** Hand this to the backend: aborts on the caller's abort or once the deadline passed. */
  readonly signal: AbortSignal;
  /** True once the deadline passed (a cancel leaves it false). */
  readonly expired: boolean;
}

/** Starts the deadline of a call that may take `timeoutMs`. */
export type StartDeadline = (callerSignal: AbortSignal, timeoutMs: number) => CallDeadline;

/** Node's timers cannot wait longer (a longer delay fires at once, with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_SLOT_MS = 1000;
const SLOTS_PER_TIMEOUT = 16;

class DeadlineGroup implements CallDeadline {
  readonly controller = new AbortController();
  expired = false;
  timer: NodeJS.Timeout | undefined;

  constructor(readonly slot: number) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

/** The groups of one caller signal: the current one per timeout, and every unexpired one. */
interface CallerGroups {
  current: Map<number, DeadlineGroup>;
  live: Set<DeadlineGroup>;
}

/** The error a deadline aborts its signal with (the backend may surface it as its cause). */
export class DeadlineExpiredError extends Error {
  override name = 'DeadlineExpiredError';
}

/** Creates a deadline source; `now` (monotonic milliseconds) is injectable for tests. */
export function createCallDeadlines(now: () => number = () => performance.now()): StartDeadline {
  const byCaller = new WeakMap<AbortSignal, CallerGroups>();

  function groupsOf(callerSignal: AbortSignal): CallerGroups {
    let groups = byCaller.get(callerSignal);
    if (groups === undefined) {
      const created: CallerGroups = { current: new Map(), live: new Set() };
      groups = created;
      byCaller.set(callerSignal, created);
      onAbort(callerSignal, () => {
        byCaller.delete(callerSignal);
        for (const group of created.live) {
          clearTimeout(group.timer);
          group.controller.abort(callerSignal.reason);
        }
        created.live.clear();
        created.current.clear();
      });
    }
    return groups;
  }

  return (callerSignal, timeoutMs) => {
    if (callerSignal.aborted) return { signal: callerSignal, expired: false };
    const limitMs = Math.min(Math.max(timeoutMs, 1), MAX_TIMER_MS - MAX_SLOT_MS);
    const slotMs = Math.min(MAX_SLOT_MS, Math.max(1, limitMs / SLOTS_PER_TIMEOUT));
    const at = now();
    const slot = Math.floor(at / slotMs);
    const groups = groupsOf(callerSignal);
    const current = groups.current.get(limitMs);
    if (current !== undefined && current.slot === slot) return current;

    const group = new DeadlineGroup(slot);
    groups.current.set(limitMs, group);
    groups.live.add(group);
    group.timer = setTimeout(() => {
      groups.live.delete(group);
      if (groups.current.get(limitMs) === group) groups.current.delete(limitMs);
      group.expired = true;
      group.controller.abort(new DeadlineExpiredError(`no answer within ${limitMs} ms`));
    }, (slot + 1) * slotMs + limitMs - at);
    group.timer.unref();
    return group;
  };
}

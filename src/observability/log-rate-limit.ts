/**
 * A per-key limit on log lines, so that one failing backend cannot flood the log: at most
 * `limit` lines per key in each window of `windowMs` (a fixed window that starts with the key's
 * first line). Lines beyond it are counted, not written; whoever writes the lines reports the
 * count once the window is over, either when the next line of that key is admitted (`admit`
 * hands it back) or from a timer (`drainEnded`). The clock is injected; nothing here writes.
 *
 * Keys are bounded by their source (configured model names); the map still keeps at most
 * `maxKeys` windows, dropping ended ones first, then the oldest.
 */

export interface LogRateLimitOptions {
  /** Lines admitted per key and window (at least 1). */
  limit: number;
  windowMs: number;
  now: () => number;
  /** The most keys tracked at once (default 1000). */
  maxKeys?: number;
}

export interface Admission {
  admitted: boolean;
  /** Lines of this key suppressed in its previous window, not reported yet (report them first). */
  suppressed: number;
}

export interface SuppressedLines {
  key: string;
  suppressed: number;
}

export interface LogRateLimiter {
  /** Counts one line of `key`: whether it may be written. */
  admit(key: string): Admission;
  /** The keys whose window ended with lines suppressed, each once; their windows are forgotten. */
  drainEnded(): SuppressedLines[];
  /** Every key with lines suppressed, ended window or not (at shutdown); those windows are forgotten. */
  drainAll(): SuppressedLines[];
  /** When the first window holding suppressed lines ends (clock milliseconds), or undefined. */
  nextReportAt(): number | undefined;
}

interface Window {
  startMs: number;
  written: number;
  suppressed: number;
}

export function createLogRateLimiter(options: LogRateLimitOptions): LogRateLimiter {
  const { limit, windowMs, now } = options;
  const maxKeys = options.maxKeys ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
  const windows = new Map<string, Window>();
  const ended = (window: Window, at: number): boolean => at >= window.startMs + windowMs;

  const makeRoom = (at: number): void => {
    if (windows.size < maxKeys) return;
    for (const [key, window] of windows) {
      if (ended(window, at) && window.suppressed === 0) windows.delete(key);
    }
    // Still full: the oldest window goes (Map order is insertion order), its count with it.
    while (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
  };

  const drain = (include: (window: Window) => boolean): SuppressedLines[] => {
    const drained: SuppressedLines[] = [];
    for (const [key, window] of windows) {
      if (!include(window)) continue;
      if (window.suppressed > 0) drained.push({ key, suppressed: window.suppressed });
      windows.delete(key);
    }
    return drained;
  };

  return {
    admit(key) {
      const at = now();
      const window = windows.get(key);
      if (window && !ended(window, at)) {
        if (window.written < limit) {
          window.written += 1;
          return { admitted: true, suppressed: 0 };
        }
        window.suppressed += 1;
        return { admitted: false, suppressed: 0 };
      }
      const suppressed = window?.suppressed ?? 0;
      windows.delete(key);
      makeRoom(at);
      windows.set(key, { startMs: at, written: 1, suppressed: 0 });
      return { admitted: true, suppressed };
    },

    drainEnded() {
      const at = now();
      return drain((window) => ended(window, at));
    },

    drainAll: () => drain(() => true),

    nextReportAt() {
      let first: number | undefined;
      for (const window of windows.values()) {
        if (window.suppressed === 0) continue;
        const end = window.startMs + windowMs;
        if (first === undefined || end < first) first = end;
      }
      return first;
    },
  };
}

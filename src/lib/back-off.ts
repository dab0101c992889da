/**
 * A failure back-off for a loop that should slow down while something keeps failing: each
 * failure doubles the pause (from `initialMs` up to `maxMs`), one success clears it.
 */
import type { Clock } from './clock.js';

export interface BackOff {
  /** Whether the pause since the last failure is over. */
  ready(): boolean;
  failed(): void;
  succeeded(): void;
  /** The current pause after a failure (0 when nothing failed). */
  delayMs(): number;
}

export function createBackOff(clock: Clock, options: { initialMs: number; maxMs: number }): BackOff {
  let delay = 0;
  let until = 0;
  return {
    ready: () => clock.now() >= until,
    failed() {
      delay = delay === 0 ? options.initialMs : Math.min(options.maxMs, delay * 2);
      until = clock.now() + delay;
    },
    succeeded() {
      delay = 0;
      until = 0;
    },
    delayMs: () => delay,
  };
}

/**
 * Hands undici a stand-in for the caller's signal instead of the signal itself. undici adds an
 * abort listener per request and removes it when the request ends; a worker shares one signal
 * across hundreds of concurrent calls, and on an AbortSignal that means Node's
 * MaxListenersExceededWarning and a walk of the whole listener list on every removal. The mirror
 * registers undici's listeners through lib/abort.ts's `onAbort` instead (one listener on the real
 * signal, constant-time add and remove).
 *
 * undici (pinned, lib/api/api-request.js and lib/core/util.js `addAbortListener`) reads a
 * signal only through `aborted`, `reason`, `addEventListener('abort', listener)` and
 * `removeEventListener('abort', listener)`, which is exactly what the mirror implements.
 */
import { onAbort } from '../../lib/abort.js';

/** The members of AbortSignal that undici uses. */
class MirroredSignal {
  private readonly disposers = new Map<() => void, () => void>();

  constructor(private readonly source: AbortSignal) {}

  get aborted(): boolean {
    return this.source.aborted;
  }

  get reason(): unknown {
    return this.source.reason as unknown;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.disposers.has(listener)) return;
    this.disposers.set(
      listener,
      onAbort(this.source, () => {
        this.disposers.delete(listener);
        listener();
      }),
    );
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.disposers.get(listener)?.();
    this.disposers.delete(listener);
  }
}

/** Returns the mirror of a signal, typed as the AbortSignal undici expects. */
export type SignalMirror = (signal: AbortSignal) => AbortSignal;

/** Creates a mirror source; mirrors live as long as their signals. */
export function createSignalMirror(): SignalMirror {
  const mirrors = new WeakMap<AbortSignal, MirroredSignal>();
  return (signal) => {
    let mirror = mirrors.get(signal);
    if (mirror === undefined) {
      mirror = new MirroredSignal(signal);
      mirrors.set(signal, mirror);
    }
    // Duck-typed: undici needs only the members above (see the header comment).
    return mirror as unknown as AbortSignal;
  };
}

/**
 * A server's resident memory per phase of a figure (upload, create, run, …): the time spent in
 * each phase and the highest VmRSS sampled in it (every `sampleMs`, so a lower bound; the
 * process's VmHWM gives the true peak). Used by the memory figures (memory.ts, image-memory.ts).
 */
import type { BenchServer } from './server-process.js';
import type { Scope } from './scope.js';
import { formatMib, formatSeconds } from './stats.js';

export interface PhaseMemory<Phase extends string> {
  /** The phase now, entered last. */
  readonly phase: Phase;
  /** Highest VmRSS sampled in each phase. */
  readonly peakBytes: Record<Phase, number>;
  /** Milliseconds spent in each phase. */
  readonly ms: Record<Phase, number>;
  /** Ends the current phase (sampled once more, its time counted) and starts `next` (entering the same phase again closes its time so far). */
  enter(next: Phase): void;
  /** Samples now (the sampler also does, every `sampleMs`). */
  sample(): void;
  /** Stops sampling. */
  stop(): void;
  /** `phase time / peak, …` in the phases' order. */
  describe(): string;
}

export function trackPhaseMemory<Phase extends string>(server: BenchServer, scope: Scope, phases: readonly Phase[], sampleMs: number): PhaseMemory<Phase> {
  const zeros = (): Record<Phase, number> => Object.fromEntries(phases.map((phase) => [phase, 0])) as Record<Phase, number>;
  const peakBytes = zeros();
  const ms = zeros();
  let phase = phases[0] as Phase;
  let started = performance.now();
  const sample = (): void => {
    try {
      peakBytes[phase] = Math.max(peakBytes[phase], server.memory().rssBytes);
    } catch {
      // the process is gone; its peak was read before
    }
  };
  const sampler = setInterval(sample, sampleMs);
  scope.defer(() => clearInterval(sampler));
  return {
    get phase() {
      return phase;
    },
    peakBytes,
    ms,
    enter(next) {
      sample();
      const now = performance.now();
      ms[phase] += now - started;
      phase = next;
      started = now;
    },
    sample,
    stop: () => clearInterval(sampler),
    describe: () => phases.map((name) => `${name} ${formatSeconds(ms[name])} / ${formatMib(peakBytes[name])}`).join(', '),
  };
}

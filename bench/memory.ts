/**
 * Figure 3, peak RSS flat: the server's peak resident memory (VmHWM) over a whole batch's life
 * (resumable upload in 8 MiB chunks, create with whole-file validation, run on the zero-latency
 * simulated model, finalize) for a large input (2 GiB by default) and, in a fresh server
 * process, a small one (200 MiB). Lines are padded to ~2 KB so that 2 GiB is ~1M requests.
 * The figure is large peak / small peak: memory should not grow with the input.
 */
import { join } from 'node:path';
import { createApiClient, expectAllSucceeded, type BatchOperation } from './support/api-client.js';
import type { Figure, FigureContext, FigureResult } from './support/figure.js';
import { writePaddedRequestFile } from './support/request-file.js';
import { trackPhaseMemory } from './support/phase-memory.js';
import { startBenchServer } from './support/server-process.js';
import { formatCount, formatMib, formatSeconds, MIB } from './support/stats.js';

const TITLE = 'Peak RSS flat';
const GOAL_RATIO = 1.2;
const GOAL_PEAK_BYTES = 300 * 1000 * 1000;
const POLL_MS = 200;
const SAMPLE_MS = 100;
const PHASES = ['upload', 'create', 'run', 'finalize'] as const;
type Phase = (typeof PHASES)[number];

interface MemoryRun {
  mib: number;
  requests: number;
  bytes: number;
  peakRssBytes: number;
  /** Highest VmRSS sampled in each phase (sampled every SAMPLE_MS, so a lower bound). */
  phasePeakBytes: Record<Phase, number>;
  phaseMs: Record<Phase, number>;
  /** Each phase's time and sampled peak. */
  phasesText: string;
}

async function runOne(context: FigureContext, mib: number, label: string): Promise<MemoryRun> {
  const { log, settings } = context;
  const scope = context.scope.child();
  try {
    const work = scope.tempDir(`memory-${label}`);
    const input = await writePaddedRequestFile(join(work, 'requests.jsonl'), mib * MIB, settings.memoryLineBytes);
    log(`${label}: ${formatMib(input.bytes)}, ${formatCount(input.requests)} requests of ${settings.memoryLineBytes} B`);
    const server = await startBenchServer({
      scope,
      dataDir: join(work, 'data'),
      env: { BATCHMODE_WORKER_CONCURRENCY: '256', BATCHMODE_MAX_UPLOAD_BYTES: String(Math.max(4096 * MIB, input.bytes)) },
      cpuProfileDir: context.cpuProfileDir(`memory-${label}`),
    });
    const api = createApiClient(server.url, server.apiKey);

    const phases = trackPhaseMemory(server, scope, PHASES, SAMPLE_MS);

    const file = await api.uploadResumable(input.path, { displayName: `memory-${label}` });
    phases.enter('create');
    const created = await api.createFileBatch(file.name, `memory-${label}`);
    phases.enter('run');
    let lastReport = 0;
    const onPoll = (operation: BatchOperation): void => {
      const stats = operation.metadata.batchStats;
      if (phases.phase === 'run' && stats?.pendingRequestCount === undefined && operation.done !== true) phases.enter('finalize');
      if (performance.now() - lastReport >= 10_000) {
        lastReport = performance.now();
        log(`${label}: ${operation.metadata.state}, ${stats?.successfulRequestCount ?? 0} done, RSS ${formatMib(server.memory().rssBytes)}`);
      }
    };
    const waited = await api.waitForBatch(created.name, { intervalMs: POLL_MS, timeoutMs: 30 * 60_000, onPoll });
    phases.enter('finalize');
    phases.stop();
    expectAllSucceeded(waited.operation, input.requests);
    const peakRssBytes = server.memory().peakRssBytes;
    await server.stop();
    const { ms: phaseMs, peakBytes: phasePeakBytes } = phases;
    log(`${label}: peak RSS ${formatMib(peakRssBytes)}; upload ${formatSeconds(phaseMs.upload)}, create ${formatSeconds(phaseMs.create)}, run+finalize ${formatSeconds(phaseMs.run + phaseMs.finalize)}`);
    return { mib, requests: input.requests, bytes: input.bytes, peakRssBytes, phasePeakBytes, phaseMs, phasesText: phases.describe() };
  } finally {
    await scope.close();
  }
}

function describe(run: MemoryRun, label: string): string {
  const phases = run.phasesText;
  return `${label} (${formatMib(run.bytes)}, ${formatCount(run.requests)} requests): peak ${formatMib(run.peakRssBytes)}; per phase (time / highest sampled RSS): ${phases}.`;
}

export const memoryFigure: Figure = {
  id: 'memory',
  title: TITLE,
  async run(context): Promise<FigureResult> {
    const { settings } = context;
    const small = await runOne(context, settings.smallMib, 'small');
    const large = await runOne(context, settings.largeMib, 'large');
    const ratio = large.peakRssBytes / small.peakRssBytes;
    const largeMinutes = (PHASES.reduce((sum, phase) => sum + large.phaseMs[phase], 0) / 60_000);
    return {
      id: 'memory',
      title: TITLE,
      measured: [
        `${settings.largeMib} MiB input: peak ${formatMib(large.peakRssBytes)}`,
        `${settings.smallMib} MiB input: peak ${formatMib(small.peakRssBytes)}`,
      ],
      ratio,
      ratioOf: `${settings.largeMib} MiB peak / ${settings.smallMib} MiB peak`,
      goal: `≤ ${GOAL_RATIO}, and large peak < 300 MB (286 MiB)`,
      met: ratio <= GOAL_RATIO && large.peakRssBytes < GOAL_PEAK_BYTES,
      details: [
        describe(large, 'Large'),
        describe(small, 'Small'),
        `Each size in a fresh server process (BATCHMODE_WORKER_CONCURRENCY=256, zero latency); VmHWM read from /proc/<pid>/status after SUCCEEDED; RSS also sampled every ${SAMPLE_MS} ms to place the peak in a phase.`,
        `The large run took ${largeMinutes.toFixed(1)} min upload → SUCCEEDED (BENCH_LARGE_MB sets its size).`,
      ],
    };
  },
};

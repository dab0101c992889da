/**
 * The bench's knobs, from BENCH_* environment variables (the figures' sizes and where the
 * report and CPU profiles go). The report names every one that was set, as part of the command.
 */
import { resolve } from 'node:path';

export interface BenchSettings {
  /** Requests in the throughput figure's file batch. */
  throughputRequests: number;
  /** Requests in the saturation figure's batch (100 ms each at 256 in flight). */
  saturationRequests: number;
  saturationLatencyMs: number;
  saturationConcurrency: number;
  /** The memory figure's two input sizes, in MiB (lines of `memoryLineBytes` bytes). */
  largeMib: number;
  smallMib: number;
  memoryLineBytes: number;
  /** Timed inline batches (after the warm-up). */
  inlineRepetitions: number;
  inlineWarmup: number;
  /** Size of the upload figure's file in MiB, and the trials of each side. */
  uploadMib: number;
  uploadTrials: number;
  /** The scale-out figure: requests, simulated latency, per-worker concurrency, shard size. */
  scaleRequests: number;
  scaleLatencyMs: number;
  scaleConcurrency: number;
  scaleShardSize: number;
  /** Requests of the OpenAI-backend end-to-end figure. */
  openaiE2eRequests: number;
  /** Requests of the time-to-first-result figure's file batch. */
  firstResultRequests: number;
  /** PostgreSQL for the scale-out figure (a fresh schema per run, dropped after). */
  databaseUrl: string;
  /** Where BENCHMARKS.md goes. */
  outputPath: string;
  /** When set, servers run under --cpu-prof and write profiles here (one folder per figure). */
  cpuProfileDir: string | undefined;
  /** The BENCH_* variables that were set, for the report's command line. */
  given: Record<string, string>;
}

const NUMBERS = {
  BENCH_THROUGHPUT_REQUESTS: 1_000_000,
  BENCH_SATURATION_REQUESTS: 50_000,
  BENCH_SATURATION_LATENCY_MS: 100,
  BENCH_SATURATION_CONCURRENCY: 256,
  BENCH_LARGE_MB: 2048,
  BENCH_SMALL_MB: 200,
  BENCH_MEMORY_LINE_BYTES: 2048,
  BENCH_INLINE_REPETITIONS: 200,
  BENCH_INLINE_WARMUP: 20,
  BENCH_UPLOAD_MB: 1024,
  BENCH_UPLOAD_TRIALS: 4,
  BENCH_SCALE_REQUESTS: 6_000,
  BENCH_SCALE_LATENCY_MS: 100,
  BENCH_SCALE_CONCURRENCY: 32,
  BENCH_SCALE_SHARD_SIZE: 100,
  BENCH_OPENAI_E2E_REQUESTS: 100_000,
  BENCH_FIRST_RESULT_REQUESTS: 1_000_000,
} as const;

export function loadBenchSettings(env: Readonly<Record<string, string | undefined>>, projectRoot: string): BenchSettings {
  const given: Record<string, string> = {};
  const number = (name: keyof typeof NUMBERS): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return NUMBERS[name];
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
    given[name] = raw;
    return value;
  };
  const text = (name: string): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    given[name] = raw;
    return raw;
  };
  const outputPath = text('BENCH_OUTPUT');
  const cpuProfileDir = text('BENCH_CPU_PROF_DIR');
  return {
    throughputRequests: Math.round(number('BENCH_THROUGHPUT_REQUESTS')),
    saturationRequests: Math.round(number('BENCH_SATURATION_REQUESTS')),
    saturationLatencyMs: number('BENCH_SATURATION_LATENCY_MS'),
    saturationConcurrency: Math.round(number('BENCH_SATURATION_CONCURRENCY')),
    largeMib: number('BENCH_LARGE_MB'),
    smallMib: number('BENCH_SMALL_MB'),
    memoryLineBytes: Math.round(number('BENCH_MEMORY_LINE_BYTES')),
    inlineRepetitions: Math.round(number('BENCH_INLINE_REPETITIONS')),
    inlineWarmup: Math.round(number('BENCH_INLINE_WARMUP')),
    uploadMib: number('BENCH_UPLOAD_MB'),
    uploadTrials: Math.round(number('BENCH_UPLOAD_TRIALS')),
    scaleRequests: Math.round(number('BENCH_SCALE_REQUESTS')),
    scaleLatencyMs: number('BENCH_SCALE_LATENCY_MS'),
    scaleConcurrency: Math.round(number('BENCH_SCALE_CONCURRENCY')),
    scaleShardSize: Math.round(number('BENCH_SCALE_SHARD_SIZE')),
    openaiE2eRequests: Math.round(number('BENCH_OPENAI_E2E_REQUESTS')),
    firstResultRequests: Math.round(number('BENCH_FIRST_RESULT_REQUESTS')),
    databaseUrl: text('BENCH_DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/test',
    outputPath: resolve(projectRoot, outputPath ?? 'BENCHMARKS.md'),
    cpuProfileDir: cpuProfileDir === undefined ? undefined : resolve(cpuProfileDir),
    given,
  };
}

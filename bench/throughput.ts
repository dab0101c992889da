/**
 * Figure 1, throughput vs ceiling: a file batch of 1,000,000 typical requests on the
 * zero-latency simulated model (256 in flight per worker), timed from the create request to the
 * first poll that sees SUCCEEDED, against the ceiling measured in this process on the same file
 * (split, parse, write a result line per request). The server runs two workers
 * (`--worker-threads 2`: each on a thread of its own, the main thread keeping the API), as the README
 * advises for a fast backend on a 2-core machine; the same batch on one worker (the default) is
 * reported beside it. Upload and create (whole-file validation) are timed separately.
 */
import { join } from 'node:path';
import { createApiClient } from './support/api-client.js';
import { measureCeiling, sampleResponse, type CeilingRun } from './support/ceiling.js';
import type { Figure, FigureContext, FigureResult } from './support/figure.js';
import { writeRequestFile } from './support/request-file.js';
import { startBenchServer } from './support/server-process.js';
import { runTimedBatch } from './support/timed-batch.js';
import { formatCount, formatMib, formatSeconds, MIB } from './support/stats.js';

const TITLE = 'Throughput vs ceiling';
const GOAL = 0.5;
const POLL_MS = 150;
const CEILING_TRIALS = 2;
/** Workers in the measured server, each on a thread of its own (a 2-core machine). */
const WORKER_THREADS = 2;

/** One batch of the input file through a fresh server with `workerThreads` workers. */
interface BatchRun {
  requestsPerSecond: number;
  totalMs: number;
  uploadMs: number;
  createMs: number;
  /** First poll seeing RUNNING → SUCCEEDED; and of that, until every request was counted (undefined: not seen). */
  runningMs: number | undefined;
  countingMs: number | undefined;
  peakRssBytes: number;
  polls: number;
}

async function runBatch(context: FigureContext, inputPath: string, requests: number, workerThreads: number): Promise<BatchRun> {
  const { scope, log, cpuProfileDir } = context;
  const label = `${workerThreads} worker${workerThreads === 1 ? '' : 's'}`;
  const server = await startBenchServer({
    scope,
    env: { BATCHMODE_WORKER_CONCURRENCY: '256', BATCHMODE_WORKER_THREADS: String(workerThreads) },
    cpuProfileDir: cpuProfileDir(`throughput-${workerThreads}`),
  });
  const api = createApiClient(server.url, server.apiKey);
  let lastReport = 0;
  const { uploadMs, createMs, createStartedMs: createStarted, waited, allCountedMs } = await runTimedBatch(api, inputPath, 'throughput', {
    requests, intervalMs: POLL_MS, timeoutMs: 20 * 60_000,
    onPoll: (operation) => {
      if (performance.now() - lastReport < 5000) return;
      lastReport = performance.now();
      log(`${label}: ${operation.metadata.state} ${operation.metadata.batchStats?.successfulRequestCount ?? 0} done`);
    },
  });
  log(`${label}: uploaded in ${formatSeconds(uploadMs)}, created in ${formatSeconds(createMs)} (validation)`);
  const totalMs = waited.doneMs - createStarted;
  const runningAt = waited.firstSeenMs.BATCH_STATE_RUNNING;
  const peakRssBytes = server.memory().peakRssBytes;
  await server.stop();
  const requestsPerSecond = requests / (totalMs / 1000);
  log(`${label}: ${formatCount(requestsPerSecond)} requests/s`);
  return {
    requestsPerSecond, totalMs, uploadMs, createMs, peakRssBytes, polls: waited.polls,
    runningMs: runningAt === undefined ? undefined : waited.doneMs - runningAt,
    countingMs: runningAt === undefined || allCountedMs === undefined ? undefined : allCountedMs - runningAt,
  };
}

export const throughputFigure: Figure = {
  id: 'throughput',
  title: TITLE,
  async run(context): Promise<FigureResult> {
    const { scope, log, settings } = context;
    const requests = settings.throughputRequests;
    const work = scope.tempDir('throughput');
    log(`writing ${formatCount(requests)} requests`);
    const input = await writeRequestFile(join(work, 'requests.jsonl'), requests);
    log(`input: ${formatMib(input.bytes)} (${(input.bytes / requests).toFixed(0)} bytes a line)`);

    // The ceiling first, while no server competes for the two cores; the best of a few runs.
    const response = await sampleResponse();
    let ceiling: CeilingRun | undefined;
    for (let trial = 1; trial <= CEILING_TRIALS; trial++) {
      const run = await measureCeiling(input.path, join(work, 'ceiling-output.jsonl'), response);
      if (run.requests !== requests) throw new Error(`ceiling saw ${run.requests} requests, expected ${requests}`);
      log(`ceiling trial ${trial}: ${formatCount(run.requests / run.seconds)} requests/s (${run.seconds.toFixed(2)} s)`);
      if (!ceiling || run.seconds < ceiling.seconds) ceiling = run;
    }
    if (!ceiling) throw new Error('no ceiling trial ran');
    const ceilingRate = ceiling.requests / ceiling.seconds;

    const batch = await runBatch(context, input.path, requests, WORKER_THREADS);
    const single = await runBatch(context, input.path, requests, 1);
    log(`batch: ${formatCount(batch.requestsPerSecond)} requests/s; ceiling ${formatCount(ceilingRate)} requests/s`);

    const ratio = batch.requestsPerSecond / ceilingRate;
    const phases = (run: BatchRun): string => {
      if (run.runningMs === undefined) return 'RUNNING was never observed by the poller.';
      const rate = `First poll seeing RUNNING → SUCCEEDED: ${formatSeconds(run.runningMs)} (${formatCount(requests / (run.runningMs / 1000))} req/s)`;
      if (run.countingMs === undefined) return `${rate}; the poller never saw every request counted before SUCCEEDED.`;
      return `${rate}; of that, RUNNING → every request counted (no pendingRequestCount) ${formatSeconds(run.countingMs)}, then finalize (the shard logs merged into the results file) ${formatSeconds(run.runningMs - run.countingMs)}.`;
    };
    return {
      id: 'throughput',
      title: TITLE,
      measured: [
        `batch ${formatCount(batch.requestsPerSecond)} req/s (${formatCount(requests)} requests, create → SUCCEEDED ${formatSeconds(batch.totalMs)}, ${WORKER_THREADS} workers)`,
        `ceiling ${formatCount(ceilingRate)} req/s (${formatSeconds(ceiling.seconds * 1000)})`,
      ],
      ratio,
      ratioOf: 'batch / ceiling',
      goal: `≥ ${GOAL}`,
      met: ratio >= GOAL,
      details: [
        `Input: ${formatCount(requests)} lines, ${formatMib(input.bytes)} (${(input.bytes / requests).toFixed(0)} B a line); results ${formatMib(ceiling.outputBytes)} in the ceiling run.`,
        `Server: \`--worker-threads ${WORKER_THREADS}\` (two workers, each on a thread of its own; the main thread keeps the API), 256 requests in flight per worker.`,
        `Upload (resumable, 8 MiB chunks): ${formatSeconds(batch.uploadMs)} (${(input.bytes / MIB / (batch.uploadMs / 1000)).toFixed(0)} MiB/s).`,
        `Create (whole-file validation, answered before any request runs): ${formatSeconds(batch.createMs)} (${formatCount(requests / (batch.createMs / 1000))} lines/s).`,
        phases(batch),
        `The same batch on one worker (the default, \`--worker-threads 1\`), run right after: ${formatCount(single.requestsPerSecond)} req/s, create → SUCCEEDED ${formatSeconds(single.totalMs)}, ratio ${(single.requestsPerSecond / ceilingRate).toFixed(3)}. ${phases(single)}`,
        `Ceiling: best of ${CEILING_TRIALS} runs in the bench process (no server running): read, Buffer.indexOf split, JSON.parse, JSON.stringify({key, response}) with a fixed ${JSON.stringify(response).length}-byte simulated response, write.`,
        `Server peak RSS (VmHWM): ${formatMib(batch.peakRssBytes)} with ${WORKER_THREADS} workers, ${formatMib(single.peakRssBytes)} with one. Polled every ${POLL_MS} ms (${batch.polls} polls).`,
      ],
    };
  },
};

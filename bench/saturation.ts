/**
 * Figure 2, backend saturation: with a simulated latency of 100 ms and 256 requests in flight
 * the ideal rate is 256 / 0.1 s = 2,560 requests/s. A batch sized to run ≥ 15 s at that rate is
 * timed from the first poll that sees RUNNING to the first that sees SUCCEEDED; the achieved
 * rate over the ideal says how well the engine keeps every slot busy.
 */
import { join } from 'node:path';
import { createApiClient } from './support/api-client.js';
import type { Figure, FigureResult } from './support/figure.js';
import { writeRequestFile } from './support/request-file.js';
import { startBenchServer } from './support/server-process.js';
import { runTimedBatch } from './support/timed-batch.js';
import { formatCount, formatSeconds } from './support/stats.js';

const TITLE = 'Backend saturation';
const GOAL = 0.95;
const POLL_MS = 100;

export const saturationFigure: Figure = {
  id: 'saturation',
  title: TITLE,
  async run({ scope, log, settings, cpuProfileDir }): Promise<FigureResult> {
    const requests = settings.saturationRequests;
    const latencyMs = settings.saturationLatencyMs;
    const concurrency = settings.saturationConcurrency;
    const idealRate = concurrency / (latencyMs / 1000);
    log(`${formatCount(requests)} requests at ${latencyMs} ms, ${concurrency} in flight: ideal ${formatCount(idealRate)} req/s, ${(requests / idealRate).toFixed(1)} s`);
    const work = scope.tempDir('saturation');
    const input = await writeRequestFile(join(work, 'requests.jsonl'), requests);

    const server = await startBenchServer({
      scope,
      env: { BATCHMODE_WORKER_CONCURRENCY: String(concurrency), BATCHMODE_SIM_LATENCY_MS: String(latencyMs) },
      cpuProfileDir: cpuProfileDir('saturation'),
    });
    const api = createApiClient(server.url, server.apiKey);
    const { createStartedMs: createStarted, createMs, name, waited, allCountedMs } = await runTimedBatch(api, input.path, 'saturation', {
      requests, intervalMs: POLL_MS, timeoutMs: 10 * 60_000,
    });
    log(`created ${name} in ${formatSeconds(createMs)}; done`);
    await server.stop();

    const runningAt = waited.firstSeenMs.BATCH_STATE_RUNNING;
    if (runningAt === undefined) throw new Error('the poller never saw the batch RUNNING');
    const runningMs = waited.doneMs - runningAt;
    const achieved = requests / (runningMs / 1000);
    const endToEnd = requests / ((waited.doneMs - createStarted) / 1000);
    const ratio = achieved / idealRate;
    log(`achieved ${formatCount(achieved)} req/s over ${formatSeconds(runningMs)}: ${ratio.toFixed(3)} of ideal`);
    return {
      id: 'saturation',
      title: TITLE,
      measured: [
        `achieved ${formatCount(achieved)} req/s (RUNNING → SUCCEEDED ${formatSeconds(runningMs)})`,
        `ideal ${formatCount(idealRate)} req/s (${concurrency} / ${latencyMs / 1000} s)`,
      ],
      ratio,
      ratioOf: 'achieved / ideal',
      goal: `≥ ${GOAL}`,
      met: ratio >= GOAL,
      details: [
        `${formatCount(requests)} requests (ideal run ${(requests / idealRate).toFixed(1)} s), BATCHMODE_SIM_LATENCY_MS=${latencyMs}, BATCHMODE_WORKER_CONCURRENCY=${concurrency}.`,
        `Measured from the first poll that saw RUNNING to the first that saw SUCCEEDED (polls every ${POLL_MS} ms, so each end is late by up to ${POLL_MS} ms; the errors largely cancel).`,
        allCountedMs === undefined
          ? 'The poller never saw every request counted before SUCCEEDED.'
          : `Of that, RUNNING → every request counted: ${formatSeconds(allCountedMs - runningAt)} (${(requests / ((allCountedMs - runningAt) / 1000) / idealRate).toFixed(3)} of ideal); every request counted → SUCCEEDED (finalize): ${formatSeconds(waited.doneMs - allCountedMs)}.`,
        `Create → SUCCEEDED: ${formatSeconds(waited.doneMs - createStarted)}, ${formatCount(endToEnd)} req/s = ${(endToEnd / idealRate).toFixed(3)} of ideal (includes the ${formatSeconds(createMs)} create).`,
      ],
    };
  },
};

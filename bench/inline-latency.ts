/**
 * Figure 4, inline latency: a 2-request inline batch from the create request to the first poll
 * that sees it done, polled in a tight loop (1 ms pauses). After a warm-up, many repetitions
 * give p50 and p99; the figure is p50 / 100 ms.
 */
import { createApiClient, type ApiClient } from './support/api-client.js';
import type { Figure, FigureResult } from './support/figure.js';
import { startBenchServer } from './support/server-process.js';
import { formatCount, percentile } from './support/stats.js';

const TITLE = 'Inline latency';
const TARGET_P50_MS = 100;
const POLL_PAUSE_MS = 1;

const REQUESTS = [
  { request: { contents: [{ parts: [{ text: 'Summarise the plot of Hamlet in one line.' }] }] }, metadata: { key: 'first' } },
  { request: { contents: [{ parts: [{ text: 'Name three uses of a paperclip.' }] }] }, metadata: { key: 'second' } },
];

/** One inline batch, create → done, in ms. */
async function timeOne(api: ApiClient): Promise<{ ms: number; polls: number }> {
  const started = performance.now();
  const created = await api.createInlineBatch(REQUESTS);
  let polls = 0;
  let operation = created;
  while (operation.done !== true) {
    await new Promise((resolve) => setTimeout(resolve, POLL_PAUSE_MS));
    operation = await api.getBatch(created.name);
    polls++;
  }
  const ms = performance.now() - started;
  const answers = operation.metadata.output?.inlinedResponses?.inlinedResponses?.length;
  if (operation.metadata.state !== 'BATCH_STATE_SUCCEEDED' || answers !== REQUESTS.length) {
    throw new Error(`inline batch ended ${operation.metadata.state} with ${answers} responses`);
  }
  return { ms, polls };
}

export const inlineLatencyFigure: Figure = {
  id: 'inline-latency',
  title: TITLE,
  async run({ scope, log, settings, cpuProfileDir }): Promise<FigureResult> {
    const server = await startBenchServer({ scope, cpuProfileDir: cpuProfileDir('inline-latency') });
    const api = createApiClient(server.url, server.apiKey);
    log(`warm-up: ${settings.inlineWarmup} batches`);
    for (let index = 0; index < settings.inlineWarmup; index++) await timeOne(api);
    log(`timing ${settings.inlineRepetitions} batches`);
    const times: number[] = [];
    let polls = 0;
    for (let index = 0; index < settings.inlineRepetitions; index++) {
      const one = await timeOne(api);
      times.push(one.ms);
      polls += one.polls;
    }
    await server.stop();
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    const mean = times.reduce((sum, value) => sum + value, 0) / times.length;
    log(`p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    const ratio = p50 / TARGET_P50_MS;
    return {
      id: 'inline-latency',
      title: TITLE,
      measured: [`p50 ${p50.toFixed(1)} ms`, `p99 ${p99.toFixed(1)} ms`],
      ratio,
      ratioOf: `p50 / ${TARGET_P50_MS} ms`,
      goal: '≤ 1 (p50 < 100 ms)',
      met: p50 < TARGET_P50_MS,
      details: [
        `${settings.inlineRepetitions} sequential 2-request inline batches after ${settings.inlineWarmup} warm-up ones, each timed from sending create to the first GET that answers done (polled with ${POLL_PAUSE_MS} ms pauses, ${formatCount(polls / times.length)} polls a batch on average).`,
        `min ${Math.min(...times).toFixed(1)} ms, mean ${mean.toFixed(1)} ms, p90 ${percentile(times, 90).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms.`,
      ],
    };
  },
};

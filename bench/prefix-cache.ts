/**
 * Figure 7, prefix-aware dispatch: a batch whose requests share 16 long system instructions,
 * interleaved round-robin (as a batch built from several prompt templates often is), sent to an
 * OpenAI-compatible server with a prefix cache (bench/support/prefix-cache-server.ts: a call whose
 * prefix was among the last 4 calls' prefixes is a hit, 20 ms; otherwise a miss, 100 ms). Run
 * twice, each in a fresh `batchmode serve` and a fresh cache server, with the same worker
 * concurrency: in file order (BATCHMODE_PREFIX_WINDOW=0) and with the default window (256),
 * which sends requests sharing a prefix one after another. The figure is the ratio of the two
 * batch rates, each timed from the first poll that sees RUNNING to the first that sees SUCCEEDED.
 */
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_MODEL, createApiClient, expectAllSucceeded } from './support/api-client.js';
import type { Figure, FigureContext, FigureResult } from './support/figure.js';
import { startPrefixCacheServer } from './support/prefix-cache-process.js';
import { startBenchServer } from './support/server-process.js';
import { formatCount, formatSeconds } from './support/stats.js';

const TITLE = 'Prefix-aware dispatch: grouped vs file order';
const GOAL = 2;
const POLL_MS = 100;
const REQUESTS = 4_000;
const PREFIXES = 16;
const PREFIX_BYTES = 3_000;
const CONCURRENCY = 16;
const CACHE = { recentCalls: 4, hitMs: 20, missMs: 100 };
const FILLER = 'Answer as a careful analyst: cite the relevant clause, state assumptions, keep to the facts given, and be brief. ';

interface Run {
  label: string;
  /** Requests per second, RUNNING → SUCCEEDED. */
  rate: number;
  runningMs: number;
  endToEndMs: number;
  hits: number;
  misses: number;
}

/** The input: request i has system instruction i mod PREFIXES (a few KB each) and its own question. */
async function writeInput(path: string): Promise<number> {
  const systems = Array.from({ length: PREFIXES }, (_, n) => {
    const head = `You are assistant ${n} of the review team. `;
    return head + FILLER.repeat(Math.ceil(PREFIX_BYTES / FILLER.length)).slice(0, PREFIX_BYTES - head.length);
  });
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    let text = '';
    for (let i = 0; i < REQUESTS; i++) {
      const request = {
        systemInstruction: { parts: [{ text: systems[i % PREFIXES] }] },
        contents: [{ role: 'user', parts: [{ text: `Question ${i}: summarise item ${i} of the report in one sentence.` }] }],
      };
      text += `${JSON.stringify({ key: `k${i}`, request })}\n`;
    }
    const buffer = Buffer.from(text);
    await handle.write(buffer);
    bytes = buffer.length;
  } finally {
    await handle.close();
  }
  return bytes;
}

async function runOnce(label: string, env: Record<string, string>, inputPath: string, { scope, log, cpuProfileDir }: FigureContext): Promise<Run> {
  const cache = await startPrefixCacheServer(scope, CACHE);
  const configPath = join(scope.tempDir(`prefix-${label}`), 'models.json');
  writeFileSync(configPath, JSON.stringify({ models: [{ name: BENCH_MODEL, backend: { type: 'openai', baseUrl: cache.baseUrl, model: 'bench-model' } }] }));
  const server = await startBenchServer({
    scope,
    env: { BATCHMODE_CONFIG: configPath, BATCHMODE_WORKER_CONCURRENCY: String(CONCURRENCY), ...env },
    cpuProfileDir: cpuProfileDir(`prefix-${label}`),
  });
  const api = createApiClient(server.url, server.apiKey);
  const file = await api.uploadResumable(inputPath, { displayName: `prefix-${label}` });
  const createStarted = performance.now();
  const created = await api.createFileBatch(file.name, `prefix-${label}`);
  const waited = await api.waitForBatch(created.name, { intervalMs: POLL_MS, timeoutMs: 10 * 60_000 });
  expectAllSucceeded(waited.operation, REQUESTS);
  const runningAt = waited.firstSeenMs.BATCH_STATE_RUNNING;
  if (runningAt === undefined) throw new Error('the poller never saw the batch RUNNING');
  const { hits, misses } = await cache.stats();
  await server.stop();
  const runningMs = waited.doneMs - runningAt;
  const run = { label, rate: REQUESTS / (runningMs / 1000), runningMs, endToEndMs: waited.doneMs - createStarted, hits, misses };
  log(`${label}: ${formatCount(run.rate)} req/s (RUNNING → SUCCEEDED ${formatSeconds(runningMs)}), cache hits ${hitRate(run)}`);
  return run;
}

const hitRate = (run: Run): string => `${((100 * run.hits) / Math.max(1, run.hits + run.misses)).toFixed(1)} % (${formatCount(run.hits)} of ${formatCount(run.hits + run.misses)} calls)`;

export const prefixCacheFigure: Figure = {
  id: 'prefix-cache',
  title: TITLE,
  async run(context): Promise<FigureResult> {
    const { scope, log } = context;
    const inputPath = join(scope.tempDir('prefix-cache'), 'requests.jsonl');
    const bytes = await writeInput(inputPath);
    log(`${formatCount(REQUESTS)} requests (${(bytes / 1024 / 1024).toFixed(1)} MiB), ${PREFIXES} system instructions of ${formatCount(PREFIX_BYTES)} bytes round-robin, ${CONCURRENCY} in flight`);
    const fileOrder = await runOnce('file-order', { BATCHMODE_PREFIX_WINDOW: '0' }, inputPath, context);
    const grouped = await runOnce('grouped', {}, inputPath, context);
    const ratio = grouped.rate / fileOrder.rate;
    const allMiss = CONCURRENCY / (CACHE.missMs / 1000);
    const allHit = CONCURRENCY / (CACHE.hitMs / 1000);
    return {
      id: 'prefix-cache',
      title: TITLE,
      measured: [
        `grouped (default window 256) ${formatCount(grouped.rate)} req/s (RUNNING → SUCCEEDED ${formatSeconds(grouped.runningMs)}), cache hits ${hitRate(grouped)}`,
        `file order (BATCHMODE_PREFIX_WINDOW=0) ${formatCount(fileOrder.rate)} req/s (RUNNING → SUCCEEDED ${formatSeconds(fileOrder.runningMs)}), cache hits ${hitRate(fileOrder)}`,
      ],
      ratio,
      ratioOf: 'grouped / file order',
      goal: `≥ ${GOAL}`,
      met: ratio >= GOAL,
      details: [
        `${formatCount(REQUESTS)} requests of a file batch (${(bytes / 1024 / 1024).toFixed(1)} MiB), each with one of ${PREFIXES} system instructions of ${formatCount(PREFIX_BYTES)} bytes, request i using instruction i mod ${PREFIXES}, and its own one-line question; BATCHMODE_WORKER_CONCURRENCY=${CONCURRENCY}, default shard size.`,
        `The backend is an OpenAI-compatible fake in a process of its own, routed by a models config file (\`backend: {type: openai}\`): a call whose prefix (every message but the last: here the system message) was among the last ${CACHE.recentCalls} calls' prefixes, counted at arrival, is a hit answered in ${CACHE.hitMs} ms, any other call a miss answered in ${CACHE.missMs} ms. Bounds at ${CONCURRENCY} in flight: ${formatCount(allMiss)} req/s if every call misses, ${formatCount(allHit)} req/s if every call hits.`,
        `File order: of the last ${CACHE.recentCalls} calls none shares the next call's prefix, so nearly every call misses. Grouped: each window of 256 requests goes out as ${PREFIXES} runs of about ${Math.round(256 / PREFIXES)} requests with one prefix, so about one call per run misses. How much a real vLLM or SGLang server gains depends on its cache size, prefix length and load; this fake only models the ordering effect.`,
        `Measured from the first poll that saw RUNNING to the first that saw SUCCEEDED (polls every ${POLL_MS} ms); each run in a fresh \`batchmode serve\` and a fresh fake server. Create → SUCCEEDED: file order ${formatSeconds(fileOrder.endToEndMs)}, grouped ${formatSeconds(grouped.endToEndMs)}.`,
      ],
    };
  },
};

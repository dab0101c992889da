/**
 * Figure 8, end to end through the OpenAI-compatible backend: a file batch of 100,000 typical
 * requests routed (models config file, `backend: {type: openai}`) to a zero-latency fake
 * OpenAI-compatible server in a process of its own, timed from the create request to the first
 * poll that sees SUCCEEDED (validation, the run and the results file all counted), against what a
 * user would otherwise write: a bare undici `Pool` with the same number of connections and
 * requests in flight, sending the same chat bodies (JSON.stringify per call), parsing each answer
 * (`body.json()`) and writing it as a JSONL line. The bare client runs before and after the
 * batch against the same fake server; the faster of its two runs is the figure's denominator.
 */
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Pool } from 'undici';
import { toChatRequest } from '../src/backends/openai/to-chat-request.js';
import type { GenerateContentRequest } from '../src/core/gemini-types.js';
import { BENCH_MODEL, createApiClient } from './support/api-client.js';
import { startChildServer } from './support/child-server.js';
import type { Figure, FigureResult } from './support/figure.js';
import { writeRequestFile } from './support/request-file.js';
import { startBenchServer } from './support/server-process.js';
import { runTimedBatch } from './support/timed-batch.js';
import { formatCount, formatSeconds } from './support/stats.js';

const TITLE = 'End to end via the OpenAI-compatible backend vs a bare undici Pool';
const GOAL = 0.8;
const POLL_MS = 100;
const CONCURRENCY = 256;
const UPSTREAM_MODEL = 'bench-model';

interface PoolRun {
  seconds: number;
  rate: number;
  cpuSeconds: number;
}

/** The chat body of every request line, as the OpenAI backend builds it. */
async function chatBodies(path: string, baseUrl: string): Promise<{ key: string; body: unknown }[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((line) => line !== '').map((line) => {
    const { key, request } = JSON.parse(line) as { key: string; request: GenerateContentRequest };
    return { key, body: toChatRequest(request, UPSTREAM_MODEL, new Map(), baseUrl).body };
  });
}

/** Writes with back-pressure (a results file, as the batch writes one): every writer waits for one drain. */
function lineWriter(output: WriteStream): (line: string) => Promise<void> {
  let drained: Promise<unknown> | undefined;
  return async (line) => {
    if (drained) await drained;
    if (!output.write(line)) drained ??= once(output, 'drain').finally(() => (drained = undefined));
  };
}

/** Every body sent once, CONCURRENCY at a time, each answer parsed and written as a line. */
async function runPool(baseUrl: string, bodies: readonly { key: string; body: unknown }[], outputPath: string): Promise<PoolRun> {
  const pool = new Pool(new URL(baseUrl).origin, { connections: CONCURRENCY });
  const path = `${new URL(baseUrl).pathname.replace(/\/+$/, '')}/chat/completions`;
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const output = createWriteStream(outputPath);
  const writeLine = lineWriter(output);
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const item = bodies[next++];
        if (!item) break;
        const { statusCode, body } = await pool.request({ path, method: 'POST', headers, body: JSON.stringify(item.body) });
        const answer = (await body.json()) as { choices?: unknown[] };
        if (statusCode !== 200 || answer.choices?.length !== 1) throw new Error(`unexpected answer: HTTP ${statusCode}`);
        await writeLine(`${JSON.stringify({ key: item.key, response: answer })}\n`);
      }
    }),
  );
  output.end();
  await finished(output);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  return { seconds, rate: bodies.length / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export const openaiE2eFigure: Figure = {
  id: 'openai-e2e',
  title: TITLE,
  async run({ scope, log, settings, cpuProfileDir }): Promise<FigureResult> {
    const requests = settings.openaiE2eRequests;
    const work = scope.tempDir('openai-e2e');
    const input = await writeRequestFile(join(work, 'requests.jsonl'), requests);
    const fake = await startChildServer(scope, 'fake-openai-child.ts');
    const bodies = await chatBodies(input.path, fake.baseUrl);
    log(`${formatCount(requests)} requests; fake OpenAI server at ${fake.baseUrl}`);

    const poolRuns: PoolRun[] = [];
    const bare = async (label: string): Promise<void> => {
      const run = await runPool(fake.baseUrl, bodies, join(work, `pool-${label}.jsonl`));
      poolRuns.push(run);
      log(`bare undici Pool (${label}): ${formatCount(run.rate)} req/s (${formatSeconds(run.seconds * 1000)})`);
    };
    await bare('before');

    const configPath = join(work, 'models.json');
    writeFileSync(configPath, JSON.stringify({
      models: [{ name: BENCH_MODEL, backend: { type: 'openai', baseUrl: fake.baseUrl, model: UPSTREAM_MODEL, maxConnections: CONCURRENCY } }],
    }));
    const server = await startBenchServer({
      scope, env: { BATCHMODE_CONFIG: configPath, BATCHMODE_WORKER_CONCURRENCY: String(CONCURRENCY) }, cpuProfileDir: cpuProfileDir('openai-e2e'),
    });
    const api = createApiClient(server.url, server.apiKey);
    const { createStartedMs: createStarted, createMs, waited, allCountedMs } = await runTimedBatch(api, input.path, 'openai-e2e', {
      requests, intervalMs: POLL_MS, timeoutMs: 10 * 60_000,
    });
    const batchMs = waited.doneMs - createStarted;
    const batchRate = requests / (batchMs / 1000);
    const peak = server.memory().peakRssBytes;
    await server.stop();
    log(`batchmode: ${formatCount(batchRate)} req/s (create → SUCCEEDED ${formatSeconds(batchMs)})`);

    await bare('after');
    const best = poolRuns.reduce((a, b) => (b.rate > a.rate ? b : a));
    const ratio = batchRate / best.rate;
    return {
      id: 'openai-e2e',
      title: TITLE,
      measured: [
        `batchmode ${formatCount(batchRate)} req/s (${formatCount(requests)} requests, create → SUCCEEDED ${formatSeconds(batchMs)})`,
        `bare undici Pool ${formatCount(best.rate)} req/s (${formatSeconds(best.seconds * 1000)}, the faster of ${poolRuns.length} runs)`,
      ],
      ratio,
      ratioOf: 'batchmode / bare Pool',
      goal: `≥ ${GOAL}`,
      met: ratio >= GOAL,
      details: [
        `${formatCount(requests)} typical requests (${formatCount(input.bytes)} bytes), ${CONCURRENCY} in flight on both sides (BATCHMODE_WORKER_CONCURRENCY=${CONCURRENCY}, backend maxConnections ${CONCURRENCY}; Pool connections ${CONCURRENCY}). The fake server (\`fixedReply\`: a recorded vLLM chat completion, no parsing) runs in a process of its own and serves both sides.`,
        `batchmode: upload not counted; create (whole-file validation) ${formatSeconds(createMs)}${allCountedMs === undefined ? '' : `, create → every request counted ${formatSeconds(allCountedMs - createStarted)}, then finalize to SUCCEEDED ${formatSeconds(waited.doneMs - allCountedMs)}`}; polled every ${POLL_MS} ms. Server peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB.`,
        `Bare Pool: the chat bodies built beforehand (toChatRequest, not timed), then per call JSON.stringify, \`pool.request\`, \`body.json()\`, and the answer written as a \`{key, response}\` line to a file. Runs (req/s): ${poolRuns.map((run) => formatCount(run.rate)).join(', ')}; bench-process CPU ${poolRuns.map((run) => `${((run.cpuSeconds / requests) * 1e6).toFixed(0)} µs`).join(', ')} a call.`,
      ],
    };
  },
};

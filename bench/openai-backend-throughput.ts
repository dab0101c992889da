/**
 * Throughput check (not a test): N generateContent calls through the OpenAI-compatible backend
 * against a zero-latency fake server, and N plain undici `Pool.request` calls sending the same
 * chat body (JSON.stringify per call, `body.json()` on the answer) to the same server at the same
 * concurrency, in the same run. The server runs in a child process. The two clients take turns
 * in `rounds` slices of N/rounds calls each, so drifts in machine load hit both alike; the report
 * gives each client's calls/s over its slices, its CPU time per call, and the ratio.
 *
 *   npx tsx bench/openai-backend-throughput.ts [calls=100000] [concurrency=256] [rounds=10]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { GenerateContentRequest } from '../src/core/gemini-types.js';
import { createOpenAIBackend } from '../src/backends/openai/openai-backend.js';
import { startFakeOpenAIServer } from '../src/backends/openai/testing/fake-openai-server.js';
import { loadFixture } from '../src/backends/openai/testing/load-fixture.js';
import { toChatRequest } from '../src/backends/openai/to-chat-request.js';

const REQUEST: GenerateContentRequest = {
  systemInstruction: { parts: [{ text: 'You are a concise assistant.' }] },
  contents: [{ role: 'user', parts: [{ text: 'What is the capital of France? Answer in one sentence.' }] }],
  generationConfig: { temperature: 0.2, maxOutputTokens: 128 },
};
const MODEL = 'gemini-2.5-flash';

interface Measurement {
  calls: number;
  seconds: number;
  cpuMicros: number;
  callsPerSecond: number;
}

if (process.argv[2] === '--serve') {
  const server = await startFakeOpenAIServer({ shouldRecord: false, shouldValidate: false, fixedReply: JSON.stringify(loadFixture('chat-completion-vllm')) });
  process.send?.({ baseUrl: server.baseUrl });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
} else {
  await main();
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 100_000);
  const concurrency = Number(process.argv[3] ?? 256);
  const rounds = Number(process.argv[4] ?? 10);
  const { child, baseUrl } = await startServerProcess();
  const backend = createOpenAIBackend({ baseUrl, maxConnections: concurrency });
  const signal = new AbortController().signal;
  const chatBody = toChatRequest(REQUEST, MODEL, new Map(), baseUrl).body;
  const pool = new Pool(new URL(baseUrl).origin, { connections: concurrency });
  const headers = { 'content-type': 'application/json', accept: 'application/json' };

  const viaBackend = async (): Promise<void> => {
    const response = await backend.generateContent(REQUEST, { model: MODEL, signal });
    if (response.candidates?.[0]?.finishReason !== 'STOP') throw new Error('unexpected answer');
  };
  const viaPlainPool = async (): Promise<void> => {
    const { statusCode, body } = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: JSON.stringify(chatBody) });
    const answer = (await body.json()) as { choices?: unknown[] };
    if (statusCode !== 200 || answer.choices?.length !== 1) throw new Error('unexpected answer');
  };

  await measure(viaPlainPool, Math.min(calls, 10_000), concurrency);
  await measure(viaBackend, Math.min(calls, 10_000), concurrency);
  const slice = Math.ceil(calls / rounds);
  const plain: Measurement[] = [];
  const ours: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    plain.push(await measure(viaPlainPool, slice, concurrency));
    ours.push(await measure(viaBackend, slice, concurrency));
  }
  const plainTotal = combine(plain);
  const oursTotal = combine(ours);
  const report = {
    callsPerClient: slice * rounds,
    concurrency,
    rounds,
    plainUndiciPool: format(plainTotal),
    openAIBackend: format(oursTotal),
    ratio: Number((oursTotal.callsPerSecond / plainTotal.callsPerSecond).toFixed(3)),
    perRoundRatios: ours.map((measurement, round) => Number((measurement.callsPerSecond / (plain[round]?.callsPerSecond ?? 1)).toFixed(2))),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await backend.close();
  await pool.close();
  child.disconnect();
}

async function measure(once: () => Promise<void>, calls: number, concurrency: number): Promise<Measurement> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next += 1;
        await once();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { calls, seconds, cpuMicros: cpu.user + cpu.system, callsPerSecond: calls / seconds };
}

/** The slices of one client as one measurement. */
function combine(slices: readonly Measurement[]): Measurement {
  const calls = slices.reduce((sum, slice) => sum + slice.calls, 0);
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  const cpuMicros = slices.reduce((sum, slice) => sum + slice.cpuMicros, 0);
  return { calls, seconds, cpuMicros, callsPerSecond: calls / seconds };
}

function format(measurement: Measurement): { callsPerSecond: number; cpuMicrosPerCall: number } {
  return { callsPerSecond: Math.round(measurement.callsPerSecond), cpuMicrosPerCall: Number((measurement.cpuMicros / measurement.calls).toFixed(1)) };
}

async function startServerProcess(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: 'inherit' });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { baseUrl: string }).baseUrl));
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)));
  });
  return { child, baseUrl };
}

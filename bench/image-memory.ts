/**
 * Figure: image results stay streamable. A file batch of 2,000 image requests (responseModalities
 * IMAGE, 1:1) on the simulated image model drawing 1024x1024 PNGs (a route with `imageSize:
 * 1024`), run through `batchmode serve` (compiled dist/, as production): upload, create, run,
 * finalize, then the whole results file downloaded through the server and checked (every line
 * one 1024x1024 PNG). The server's peak RSS (VmHWM) over that life is the figure, against a
 * fresh server doing the same with 500 images (enough for the heap to reach its steady state: a
 * shorter run peaks lower for that alone): each result line is ~0.5 MB of base64 and the
 * results file ~1 GB, so memory that grew with the results would show. BENCH_IMAGES and
 * BENCH_IMAGES_SMALL set the two counts, BENCH_IMAGE_SIZE the pixels, BENCH_IMAGE_SHARD_SIZE the
 * server's requests per shard (default: the server's, 1000), BENCH_IMAGE_CONCURRENCY the worker
 * concurrency (default 64, the server's default).
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { pngSize } from '../src/backends/simulated/png.js';
import { createApiClient, type BatchOperation } from './support/api-client.js';
import type { Figure, FigureContext, FigureId, FigureResult } from './support/figure.js';
import { trackPhaseMemory } from './support/phase-memory.js';
import { startBenchServer } from './support/server-process.js';
import { formatCount, formatMib, formatSeconds } from './support/stats.js';

// Drop the cast once FIGURE_IDS (bench/support/figure.ts) lists 'image-memory'.
const ID: FigureId = 'image-memory';
const TITLE = 'Image results: peak RSS flat';
const MODEL = 'gemini-2.5-flash-image';
/**
 * Flat means the peak does not grow with the batch. No absolute cap as the text figure's 300 MB:
 * with 64 requests in flight each holding a ~0.5 MB line in a few copies (base64, JSON, bytes),
 * the in-flight peak is set by concurrency x line size, not by the batch.
 */
const GOAL_RATIO = 1.2;
const SAMPLE_MS = 100;
const PHASES = ['upload', 'create', 'run', 'download'] as const;
type Phase = (typeof PHASES)[number];

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return value;
};

interface ImageRun {
  images: number;
  peakRssBytes: number;
  phasePeakBytes: Record<Phase, number>;
  phaseMs: Record<Phase, number>;
  /** Each phase's time and sampled peak. */
  phasesText: string;
  resultsBytes: number;
  /** Width x height of the first and last image read back. */
  checked: string;
}

/** Writes `count` image requests, each its own prompt. */
async function writeImageRequests(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let index = 0; index < count; index++) {
    const line = { key: `img-${index}`, request: { contents: [{ parts: [{ text: `A poster of animal number ${index} in a meadow` }] }], generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } } } };
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
}

/** Streams the results file through the server: its size, its line count, the size of its first and last image. */
async function readResults(url: string, apiKey: string, fileName: string): Promise<{ bytes: number; lines: number; first: string; last: string }> {
  const response = await fetch(`${url}/download/v1beta/${fileName}:download?alt=media`, { headers: { 'x-goog-api-key': apiKey } });
  if (!response.ok || !response.body) throw new Error(`download ${fileName}: HTTP ${response.status}`);
  const decoder = new TextDecoder();
  let bytes = 0;
  let lines = 0;
  let rest = '';
  let first = '';
  let last = '';
  const sizeOfLine = (line: string): string => {
    const data = (JSON.parse(line) as { response: { candidates: { content: { parts: { inlineData?: { data: string } }[] } }[] } }).response.candidates[0]!.content.parts.find((part) => part.inlineData)?.inlineData?.data ?? '';
    const size = pngSize(Buffer.from(data.slice(0, 64), 'base64'));
    return size === undefined ? 'not a PNG' : `${size.width}x${size.height}`;
  };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      if (line === '') continue;
      lines++;
      if (lines === 1) first = sizeOfLine(line);
      last = line;
    }
  }
  if (rest !== '') {
    lines++;
    last = rest;
  }
  return { bytes, lines, first, last: last === '' ? '' : sizeOfLine(last) };
}

interface RunSettings {
  imageSize: number;
  /** BATCHMODE_SHARD_SIZE, when set. */
  shardSize: string | undefined;
  concurrency: number;
}

async function runOne(context: FigureContext, images: number, settings: RunSettings, label: string): Promise<ImageRun> {
  const { imageSize, shardSize } = settings;
  const { log } = context;
  const scope = context.scope.child();
  try {
    const work = scope.tempDir(`image-memory-${label}`);
    const input = join(work, 'requests.jsonl');
    await writeImageRequests(input, images);
    const config = join(work, 'models.json');
    writeFileSync(config, JSON.stringify({ models: [{ name: MODEL, backend: { type: 'simulated', imageSize } }] }));
    const server = await startBenchServer({
      scope,
      dataDir: join(work, 'data'),
      env: { BATCHMODE_CONFIG: config, BATCHMODE_WORKER_CONCURRENCY: String(settings.concurrency), ...(shardSize === undefined ? {} : { BATCHMODE_SHARD_SIZE: shardSize }) },
      cpuProfileDir: context.cpuProfileDir(`image-memory-${label}`),
    });
    const api = createApiClient(server.url, server.apiKey);
    const phases = trackPhaseMemory(server, scope, PHASES, SAMPLE_MS);

    const file = await api.uploadResumable(input, { displayName: `image-memory-${label}` });
    phases.enter('create');
    const response = await fetch(`${server.url}/v1beta/models/${MODEL}:batchGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': server.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { displayName: `image-memory-${label}`, inputConfig: { fileName: file.name } } }),
    });
    if (!response.ok) throw new Error(`create: HTTP ${response.status}: ${(await response.text()).slice(0, 2000)}`);
    const created = (await response.json()) as BatchOperation;
    phases.enter('run');
    let lastReport = 0;
    const waited = await api.waitForBatch(created.name, {
      intervalMs: 250,
      timeoutMs: 60 * 60_000,
      onPoll: (operation) => {
        if (performance.now() - lastReport < 10_000) return;
        lastReport = performance.now();
        log(`${label}: ${operation.metadata.state}, ${operation.metadata.batchStats?.successfulRequestCount ?? 0} images, RSS ${formatMib(server.memory().rssBytes)}`);
      },
    });
    const stats = waited.operation.metadata.batchStats ?? {};
    if (waited.operation.metadata.state !== 'BATCH_STATE_SUCCEEDED' || Number(stats.successfulRequestCount) !== images) {
      throw new Error(`${created.name} ended ${waited.operation.metadata.state} with ${JSON.stringify(stats)}; expected ${images} successful`);
    }
    phases.enter('download');
    const results = await readResults(server.url, server.apiKey, waited.operation.metadata.output?.responsesFile ?? '');
    phases.enter('download'); // closes the download phase's time
    phases.stop();
    const expected = `${imageSize}x${imageSize}`;
    if (results.lines !== images || results.first !== expected || results.last !== expected) {
      throw new Error(`results: ${results.lines} lines, first image ${results.first}, last ${results.last}; expected ${images} of ${expected}`);
    }
    const peakRssBytes = server.memory().peakRssBytes;
    await server.stop();
    const { ms: phaseMs, peakBytes: phasePeakBytes } = phases;
    log(`${label}: ${formatCount(images)} images, results ${formatMib(results.bytes)}, peak RSS ${formatMib(peakRssBytes)}; run+finalize ${formatSeconds(phaseMs.run)}`);
    return { images, peakRssBytes, phasePeakBytes, phaseMs, phasesText: phases.describe(), resultsBytes: results.bytes, checked: `${results.first} … ${results.last}` };
  } finally {
    await scope.close();
  }
}

function describeRun(run: ImageRun, label: string): string {
  const phases = run.phasesText;
  return `${label} (${formatCount(run.images)} images, results file ${formatMib(run.resultsBytes)}): peak ${formatMib(run.peakRssBytes)}; per phase (time / highest sampled RSS): ${phases}.`;
}

export const imageMemoryFigure: Figure = {
  id: ID,
  title: TITLE,
  async run(context): Promise<FigureResult> {
    const imageSize = numberFromEnv('BENCH_IMAGE_SIZE', 1024);
    const largeCount = numberFromEnv('BENCH_IMAGES', 2000);
    const smallCount = numberFromEnv('BENCH_IMAGES_SMALL', 500);
    const shardSize = process.env.BENCH_IMAGE_SHARD_SIZE === undefined ? undefined : String(numberFromEnv('BENCH_IMAGE_SHARD_SIZE', 1000));
    const concurrency = numberFromEnv('BENCH_IMAGE_CONCURRENCY', 64);
    const small = await runOne(context, smallCount, { imageSize, shardSize, concurrency }, 'small');
    const large = await runOne(context, largeCount, { imageSize, shardSize, concurrency }, 'large');
    const ratio = large.peakRssBytes / small.peakRssBytes;
    return {
      id: ID,
      title: TITLE,
      measured: [
        `${formatCount(largeCount)} images at ${imageSize} px (results ${formatMib(large.resultsBytes)}): peak ${formatMib(large.peakRssBytes)}`,
        `${formatCount(smallCount)} images (results ${formatMib(small.resultsBytes)}): peak ${formatMib(small.peakRssBytes)}`,
      ],
      ratio,
      ratioOf: `${formatCount(largeCount)}-image peak / ${formatCount(smallCount)}-image peak`,
      goal: `≤ ${GOAL_RATIO}`,
      met: ratio <= GOAL_RATIO,
      details: [
        describeRun(large, 'Large'),
        describeRun(small, 'Small'),
        `Simulated image model on a route with imageSize ${imageSize} (model config), BATCHMODE_WORKER_CONCURRENCY=${concurrency}, ${shardSize === undefined ? 'the default shard size (1000 requests)' : `BATCHMODE_SHARD_SIZE=${shardSize}`}, zero latency; each size in a fresh server process; VmHWM from /proc/<pid>/status after the download; RSS also sampled every ${SAMPLE_MS} ms per phase (run includes finalize). Images read back: ${large.checked}.`,
      ],
    };
  },
};

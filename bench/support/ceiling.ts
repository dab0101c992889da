/**
 * The throughput ceiling of a batch on this machine, with no server: read the input file,
 * split it into lines with Buffer.indexOf, JSON.parse each line and write one result line per
 * request (`{"key":…,"response":…}`, JSON.stringify'd) to a file. Any batch engine has to do
 * at least this much work per request, in one process.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { GenerateContentResponse } from '../../src/core/gemini-types.js';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import { requestLine } from './request-file.js';
import { BENCH_MODEL } from './api-client.js';

export interface CeilingRun {
  requests: number;
  seconds: number;
  outputBytes: number;
}

const NEWLINE = 0x0a;
const READ_CHUNK_BYTES = 1024 * 1024;

/** A realistic response: the simulated model's answer to a typical bench request. */
export async function sampleResponse(): Promise<GenerateContentResponse> {
  const line = JSON.parse(requestLine(123)) as { request: { contents: [] } };
  return createSimulatedBackend().generateContent(line.request, { model: BENCH_MODEL, signal: new AbortController().signal });
}

export async function measureCeiling(inputPath: string, outputPath: string, response: GenerateContentResponse): Promise<CeilingRun> {
  const started = performance.now();
  const output = createWriteStream(outputPath);
  let requests = 0;
  let outputBytes = 0;
  let pending: Buffer | undefined;
  const emit = async (lines: string[]): Promise<void> => {
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    outputBytes += Buffer.byteLength(text);
    if (!output.write(text)) await once(output, 'drain');
  };
  for await (const chunk of createReadStream(inputPath, { highWaterMark: READ_CHUNK_BYTES })) {
    const data: Buffer = pending ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    pending = undefined;
    const lines: string[] = [];
    let from = 0;
    for (let at = data.indexOf(NEWLINE, from); at !== -1; at = data.indexOf(NEWLINE, from)) {
      if (at > from) {
        const parsed = JSON.parse(data.toString('utf8', from, at)) as { key: string };
        lines.push(JSON.stringify({ key: parsed.key, response }));
        requests++;
      }
      from = at + 1;
    }
    if (from < data.length) pending = data.subarray(from);
    await emit(lines);
  }
  if (pending && pending.length > 0) {
    const parsed = JSON.parse(pending.toString('utf8')) as { key: string };
    await emit([JSON.stringify({ key: parsed.key, response })]);
    requests++;
  }
  output.end();
  await finished(output);
  return { requests, seconds: (performance.now() - started) / 1000, outputBytes };
}

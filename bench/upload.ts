/**
 * Figure 5, upload throughput: a 1 GiB resumable upload through the server (8 MiB chunks read
 * from disk one at a time and POSTed with fetch, as @google/genai does) against the same client
 * uploading to the ceiling, a bare `node:http` server in a process of its own that streams each
 * chunk to disk with SHA-256 on the way and does nothing else (support/upload-ceiling-child.ts).
 * Writing the same bytes straight to the same file system with fs.createWriteStream (read in the
 * same 8 MiB chunks) is reported beside them. Nobody fsyncs; `sync` runs before every trial so
 * that each starts with no dirty pages. The trials alternate; the medians are compared.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createApiClient, SDK_CHUNK_BYTES } from './support/api-client.js';
import { startChildServer } from './support/child-server.js';
import type { Figure, FigureResult } from './support/figure.js';
import { startBenchServer } from './support/server-process.js';
import { median, MIB } from './support/stats.js';

const TITLE = 'Upload throughput';
const GOAL = 0.9;

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; written += SDK_CHUNK_BYTES) {
      await handle.write(randomBytes(Math.min(SDK_CHUNK_BYTES, bytes - written)));
    }
  } finally {
    await handle.close();
  }
}

/** Copies `source` to `target` in SDK-sized chunks through a write stream; returns MiB/s. */
async function rawWrite(source: string, target: string): Promise<number> {
  const started = performance.now();
  const handle = await open(source, 'r');
  const output = createWriteStream(target);
  let total = 0;
  try {
    const size = (await handle.stat()).size;
    for (let offset = 0; offset < size; offset += SDK_CHUNK_BYTES) {
      const chunk = new Uint8Array(Math.min(SDK_CHUNK_BYTES, size - offset));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      total += bytesRead;
      if (!output.write(chunk)) await once(output, 'drain');
    }
    output.end();
    await finished(output);
  } finally {
    await handle.close();
  }
  return total / MIB / ((performance.now() - started) / 1000);
}

function syncDisks(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

export const uploadFigure: Figure = {
  id: 'upload',
  title: TITLE,
  async run({ scope, log, settings, cpuProfileDir }): Promise<FigureResult> {
    const bytes = Math.round(settings.uploadMib * MIB);
    const work = scope.tempDir('upload');
    const source = join(work, 'source.bin');
    log(`writing a ${settings.uploadMib} MiB source file`);
    await writeRandomFile(source, bytes);
    const server = await startBenchServer({ scope, dataDir: join(work, 'data'), cpuProfileDir: cpuProfileDir('upload') });
    const api = createApiClient(server.url, server.apiKey);
    const ceilingDir = join(work, 'ceiling');
    await mkdir(ceilingDir);
    const ceilingServer = await startChildServer(scope, 'upload-ceiling-child.ts', [ceilingDir]);
    const ceilingApi = createApiClient(ceilingServer.baseUrl, 'none');

    const raw: number[] = [];
    const ceiling: number[] = [];
    const uploaded: number[] = [];
    const timed = async (upload: () => Promise<unknown>): Promise<number> => {
      syncDisks();
      const started = performance.now();
      await upload();
      return bytes / MIB / ((performance.now() - started) / 1000);
    };
    for (let trial = 1; trial <= settings.uploadTrials; trial++) {
      syncDisks();
      const target = join(work, `raw-${trial}.bin`);
      raw.push(await rawWrite(source, target));
      await rm(target, { force: true });
      const runCeiling = async (): Promise<void> => {
        ceiling.push(await timed(() => ceilingApi.uploadResumable(source, { displayName: `ceiling-${trial}` })));
        await rm(ceilingDir, { recursive: true, force: true });
        await mkdir(ceilingDir);
      };
      const runUpload = async (): Promise<void> => {
        let name = '';
        uploaded.push(await timed(async () => ({ name } = await api.uploadResumable(source, { displayName: `upload-${trial}` }))));
        await api.deleteFile(name);
      };
      // Each goes first in every other trial: the run after another finds the disk still busy
      // with (and freeing) the 1 GiB just written, which cost whichever went second ~15 %.
      const ceilingFirst = trial % 2 === 1;
      for (const run of ceilingFirst ? [runCeiling, runUpload] : [runUpload, runCeiling]) await run();
      log(`trial ${trial} (${ceilingFirst ? 'ceiling' : 'upload'} first): raw ${raw.at(-1)?.toFixed(0)} MiB/s, ceiling ${ceiling.at(-1)?.toFixed(0)} MiB/s, upload ${uploaded.at(-1)?.toFixed(0)} MiB/s`);
    }
    const peak = server.memory().peakRssBytes;
    await server.stop();
    const rawMedian = median(raw);
    const ceilingMedian = median(ceiling);
    const uploadMedian = median(uploaded);
    const ratio = uploadMedian / ceilingMedian;
    return {
      id: 'upload',
      title: TITLE,
      measured: [`upload ${uploadMedian.toFixed(0)} MiB/s`, `ceiling (bare node:http, to disk with SHA-256) ${ceilingMedian.toFixed(0)} MiB/s`, `raw write ${rawMedian.toFixed(0)} MiB/s (reference)`],
      ratio,
      ratioOf: 'upload / ceiling',
      goal: `≥ ${GOAL}`,
      met: ratio >= GOAL,
      details: [
        `${settings.uploadMib} MiB of random bytes, ${settings.uploadTrials} trials each, medians compared; in each trial raw write runs first, then the upload and the ceiling, in turn first. Upload trials (MiB/s): ${uploaded.map((value) => value.toFixed(0)).join(', ')}; ceiling trials: ${ceiling.map((value) => value.toFixed(0)).join(', ')}; raw write trials: ${raw.map((value) => value.toFixed(0)).join(', ')}.`,
        'Upload and ceiling: the same client, start + sequential 8 MiB chunks (fetch, a fresh buffer per chunk read from the file, as the SDK does), timed to the finalize answer. The server streams to disk with SHA-256 on the way and records the file; the ceiling (a bare `node:http` server in its own process) only streams each chunk to a file with SHA-256 (bench/support/upload-ceiling-child.ts). Raw: the same reads into fs.createWriteStream on the same file system as the data dir, no HTTP (upload / raw write: ' + (uploadMedian / rawMedian).toFixed(3) + '). No fsync anywhere; `sync` before each trial.',
        `Server peak RSS over the trials: ${(peak / MIB).toFixed(0)} MiB.`,
      ],
    };
  },
};

/**
 * Starts `batchmode serve` as production runs it — the compiled `dist/` (`node bin/batchmode.js`,
 * what `npm start` runs) — as a child process on a free port with a fresh data directory, and
 * reads its memory from /proc. `run.ts` builds dist/ first, so it always matches the source.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readProcessMemory, type ProcessMemory } from './proc-status.js';
import type { Scope } from './scope.js';

export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  /** The API key the server accepts. */
  apiKey: string;
  memory(): ProcessMemory;
  /** The last output lines of the server (stdout and stderr), for error messages. */
  outputTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartServerOptions {
  scope: Scope;
  /** BATCHMODE_* settings on top of the bench defaults. */
  env?: Record<string, string>;
  /** Where the data directory goes (default: a new temp dir of the scope). */
  dataDir?: string;
  /** Run the server under `--cpu-prof`, writing its profile into this directory on exit. */
  cpuProfileDir?: string | undefined;
  /** `serve` (default) or `worker` (workers only: no URL; ready when it prints "running"). */
  command?: 'serve' | 'worker';
}

export const projectRoot = resolve(import.meta.dirname, '../..');
export const BENCH_API_KEY = 'bench';
const START_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 16_384;

export async function startBenchServer(options: StartServerOptions): Promise<BenchServer> {
  const { scope } = options;
  const dataDir = options.dataDir ?? scope.tempDir('data');
  const command = options.command ?? 'serve';
  const ready = command === 'serve' ? /listening on (http:\/\/\S+)/ : /batchmode worker (\S+) running/;
  const nodeArgs: string[] = [];
  if (options.cpuProfileDir) {
    mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  }
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(projectRoot, 'bin/batchmode.js'), command, ...(command === 'serve' ? ['--port', '0'] : []), '--data-dir', dataDir],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        BATCHMODE_API_KEYS: BENCH_API_KEY,
        BATCHMODE_LOG_LEVEL: 'warn',
        BATCHMODE_SHUTDOWN_GRACE_SECONDS: '1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  scope.track(child);
  let output = '';
  const append = (data: Buffer): void => {
    output = (output + data.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);

  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  scope.defer(() => stop());

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const check = (): void => {
      const match = ready.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolveUrl(command === 'serve' ? match[1] : '');
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it listened:\n${output}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('server process has no pid');

  return {
    url,
    pid,
    dataDir,
    apiKey: BENCH_API_KEY,
    memory: () => readProcessMemory(pid),
    outputTail: () => output,
    stop,
  };
}

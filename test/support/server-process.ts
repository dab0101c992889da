/**
 * Starts `batchmode serve` (or `batchmode worker`) as a child process (real HTTP between
 * processes) on a free port with a fresh data directory, and stops it after the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ServerProcess {
  /** The API's base URL (empty for a worker process). */
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Peak resident memory of the server process (VmHWM), in bytes. */
  peakRssBytes(): number;
  /** Resident memory of the server process now (VmRSS), in bytes. */
  rssBytes(): number;
  /** Stops the server (SIGTERM) and removes the data directory if this helper made it. */
  stop(): Promise<void>;
}

const projectRoot = resolve(import.meta.dirname, '../..');

export interface ServerProcessOptions {
  env?: Record<string, string>;
  dataDir?: string;
  /** `serve` (default) or `worker`. */
  command?: 'serve' | 'worker';
  /** More command-line arguments, after the port and data directory (e.g. `['--config', path]`). */
  args?: readonly string[];
}

/**
 * What the servers started here still hold (a live process, a data directory this helper made):
 * ended when the test process exits, should a test end without stopping its server.
 */
const leftovers = new Set<() => void>();
process.once('exit', () => {
  for (const cleanUp of leftovers) cleanUp();
});

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'batchmode-e2e-'));
  const command = options.command ?? 'serve';
  const ready = command === 'serve' ? /listening on (http:\/\/\S+)/ : /batchmode worker (\S+) running/;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), command, ...(command === 'serve' ? ['--port', '0'] : []), '--data-dir', dataDir, ...(options.args ?? [])],
    {
      cwd: projectRoot,
      env: { ...process.env, BATCHMODE_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const removeDataDir = (): void => {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const leftover = (): void => {
    if (running()) child.kill('SIGKILL');
    removeDataDir();
  };
  leftovers.add(leftover);
  /** Ends the process with `signal` (if it runs) and removes the data directory if this helper made it. */
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    leftovers.delete(leftover);
    if (running()) {
      await new Promise<void>((resolveEnd) => {
        child.once('exit', () => resolveEnd());
        child.kill(signal);
      });
    }
    removeDataDir();
  };
  const started = new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = (): void => {
      const match = ready.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(command === 'serve' ? match[1] : '');
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  let url: string;
  try {
    url = await started;
  } catch (error) {
    // A server that did not start leaves nothing behind: no process, no data directory.
    await end('SIGKILL');
    throw error;
  }

  return {
    url,
    dataDir,
    child,
    output: () => output,
    peakRssBytes: () => statusBytes(child, 'VmHWM'),
    rssBytes: () => statusBytes(child, 'VmRSS'),
    stop: () => end('SIGTERM'),
  };
}

/** A `/proc/<pid>/status` memory field of the process, in bytes. */
function statusBytes(child: ChildProcess, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return Number(kib) * 1024;
}

/**
 * Starts a bench helper (a TypeScript script run with `node --import tsx`) as a child process of
 * the scope, so that it has an event loop of its own: the script prints one JSON line once it is
 * ready (a server: `{"baseUrl": …}`) and stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Scope } from './scope.js';
import { projectRoot } from './server-process.js';

export interface ChildServer {
  baseUrl: string;
  pid: number;
}

/** Runs `bench/support/<script>` with `args`; resolves the first JSON line it printed, and its pid. */
export async function startChildProcess<T>(scope: Scope, script: string, args: readonly string[] = []): Promise<{ ready: T; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bench/support', script), ...args], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  scope.track(child);
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  let output = '';
  const ready = await new Promise<T>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (line) resolve(JSON.parse(line) as T);
    });
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it started: ${output}`)));
  });
  if (child.pid === undefined) throw new Error(`${script} has no pid`);
  return { ready, pid: child.pid };
}

/** Runs `bench/support/<script>` with `args`; resolves once it printed its base URL. */
export async function startChildServer(scope: Scope, script: string, args: readonly string[] = []): Promise<ChildServer> {
  const { ready, pid } = await startChildProcess<{ baseUrl: string }>(scope, script, args);
  return { baseUrl: ready.baseUrl, pid };
}

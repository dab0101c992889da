/**
 * Starts a bench helper server (a TypeScript script run with `node --import tsx`) as a child
 * process of the scope, so that it has an event loop of its own: the script prints one JSON
 * line `{"baseUrl": …}` once it listens and stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Scope } from './scope.js';
import { projectRoot } from './server-process.js';

export interface ChildServer {
  baseUrl: string;
  pid: number;
}

/** Runs `bench/support/<script>` with `args`; resolves once it printed its base URL. */
export async function startChildServer(scope: Scope, script: string, args: readonly string[] = []): Promise<ChildServer> {
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
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { baseUrl: string }).baseUrl);
    });
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it started: ${output}`)));
  });
  if (child.pid === undefined) throw new Error(`${script} has no pid`);
  return { baseUrl, pid: child.pid };
}

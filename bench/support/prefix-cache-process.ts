/** Starts bench/support/prefix-cache-server.ts as a child process of the scope; reads its hit and miss counts. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Scope } from './scope.js';
import { projectRoot } from './server-process.js';

export interface PrefixCacheServer {
  /** The API root, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  stats(): Promise<{ hits: number; misses: number }>;
}

export interface PrefixCacheOptions {
  /** How many recent calls' prefixes count as cached. */
  recentCalls: number;
  hitMs: number;
  missMs: number;
}

export async function startPrefixCacheServer(scope: Scope, options: PrefixCacheOptions): Promise<PrefixCacheServer> {
  const args = [String(options.recentCalls), String(options.hitMs), String(options.missMs)];
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bench/support/prefix-cache-server.ts'), ...args], {
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
    const append = (data: Buffer): void => {
      output += data.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { baseUrl: string }).baseUrl);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.once('exit', (code) => reject(new Error(`the prefix-cache server exited (${code}) before it started: ${output}`)));
  });
  return {
    baseUrl,
    async stats() {
      const response = await fetch(`${new URL(baseUrl).origin}/stats`);
      if (!response.ok) throw new Error(`prefix-cache server stats: HTTP ${response.status}`);
      return (await response.json()) as { hits: number; misses: number };
    },
  };
}

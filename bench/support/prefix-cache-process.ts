/** Starts bench/support/prefix-cache-server.ts as a child process of the scope; reads its hit and miss counts. */
import { startChildServer } from './child-server.js';
import type { Scope } from './scope.js';

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
  const { baseUrl } = await startChildServer(scope, 'prefix-cache-server.ts', args);
  return {
    baseUrl,
    async stats() {
      const response = await fetch(`${new URL(baseUrl).origin}/stats`);
      if (!response.ok) throw new Error(`prefix-cache server stats: HTTP ${response.status}`);
      return (await response.json()) as { hits: number; misses: number };
    },
  };
}

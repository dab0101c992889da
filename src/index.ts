/**
 * batchmode as a library: `import { startServer } from 'batchmode'` runs the whole server (the
 * Gemini Batch Mode and Files APIs, the OpenAI-compatible surface, the batch workers) inside
 * the calling process, on real HTTP, so a test suite can point `@google/genai`, `google-genai`
 * or the `openai` SDKs at it as a Gemini stand-in. Defaults suit tests: any free port, a fresh
 * temporary data directory that `close()` removes, one generated key, the simulated model, and
 * nothing read from the BATCHMODE_* environment (only AWS_* for an `s3://` blob URL).
 *
 * This module is the package's only public entry (package.json `exports`); everything else is
 * internal and may change between minor versions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsEnvironment, loadConfig, type ConfigFlags, type SettingName } from './config/settings.js';
import { VERSION } from './core/version.js';
import { createLogger, type LogLevel } from './lib/logger.js';
import { startServer as startApi } from './server/start-api.js';

export { VERSION };
export type { LogLevel, SettingName };

export interface StartServerOptions {
  /** Port to listen on; default 0 (a free port, see `url`). */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Where the database and file bytes live; default a new temporary directory, removed by `close()`. */
  dataDir?: string;
  /** API keys, each its own tenant; default one generated key (see `apiKey`). */
  apiKeys?: readonly string[];
  /** Log level of the JSON lines written to stderr; default `warn`. */
  logLevel?: LogLevel;
  /**
   * Any other setting, by the name `batchmode serve --help` documents in camelCase
   * (`simLatencyMs: 50`, `simFaults: '[{"match":"poison","error":"INVALID_ARGUMENT"}]'`,
   * `configFile`, `databaseUrl`, `blobUrl`, `shardSize`, `completionWindowHours`, …), as a flag takes it.
   */
  settings?: Partial<Record<SettingName, string | number | boolean>>;
}

export interface BatchmodeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the SDKs' `baseUrl` / `base_url` (`${url}/v1beta/openai` for the openai SDKs). */
  readonly url: string;
  readonly port: number;
  /** The first API key (the generated one when none were given). */
  readonly apiKey: string;
  readonly apiKeys: readonly string[];
  readonly dataDir: string;
  /** Stops the server and its workers, closes the store, and removes a temporary data directory. */
  close(): Promise<void>;
}

/** Starts batchmode in this process; resolves once it answers HTTP. */
export async function startServer(options: StartServerOptions = {}): Promise<BatchmodeServer> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'batchmode-'));
  const flags: ConfigFlags = {};
  for (const [name, value] of Object.entries(options.settings ?? {}) as [SettingName, string | number | boolean][]) {
    flags[name] = typeof value === 'boolean' ? String(value) : value;
  }
  Object.assign(flags, {
    port: options.port ?? 0,
    dataDir,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.apiKeys === undefined ? {} : { apiKeys: options.apiKeys.join(',') }),
    logLevel: options.logLevel ?? 'warn',
  });
  const removeTemporary = (): void => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  let server;
  try {
    const config = loadConfig(flags, awsEnvironment());
    server = await startApi(config, createLogger({ level: config.logLevel }));
  } catch (error) {
    removeTemporary();
    throw error;
  }
  const running = server;
  return {
    url: running.url,
    port: running.port,
    apiKey: running.apiKeys[0] ?? '',
    apiKeys: running.apiKeys,
    dataDir,
    async close() {
      await running.close();
      removeTemporary();
    },
  };
}

/**
 * What the client commands (`batches`, `files`, `models`) share: the endpoint and key flags,
 * building the REST client from them, printing, and turning errors into exit statuses.
 */
import type { Command } from 'commander';
import { createApiClient, type ApiClient, type RetryNotice } from '../client/api-client.js';
import { ApiError } from '../client/api-error.js';
import { ConfigError, loadClientConfig } from '../config/settings.js';
import { CliExit, EXIT } from './exit-codes.js';

/** The flags every client command takes. */
export interface ClientOptions {
  baseUrl?: string;
  apiKey?: string;
  json?: boolean;
}

/** Adds `--base-url`, `--api-key` and `--json` to a command. */
export function addClientOptions(command: Command): Command {
  return command
    .option('--base-url <url>', 'API base URL [GOOGLE_GEMINI_BASE_URL, default the local server]')
    .option('--api-key <key>', 'API key [GEMINI_API_KEY, GOOGLE_API_KEY, default the local server\'s key]')
    .option('--json', 'print JSON instead of text');
}

/** The REST client for the flags (then the environment, then the local server); it retries transient failures, saying so on stderr. */
export function clientFrom(options: ClientOptions): { client: ApiClient; json: boolean } {
  const config = loadClientConfig({ baseUrl: options.baseUrl, apiKey: options.apiKey });
  return { client: createApiClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, onRetry: printRetryNotice }), json: options.json === true };
}

/** One line on stderr before each retry (erasing a progress bar drawn on that line first). */
export function printRetryNotice(notice: RetryNotice, out: NodeJS.WriteStream = process.stderr): void {
  const erase = out.isTTY ? '\r\x1b[2K' : '';
  out.write(`${erase}${notice.what}: ${notice.reason}; retrying in ${(notice.delayMs / 1000).toFixed(1)}s (attempt ${notice.attempt})\n`);
}

/** Wraps an action: API errors exit 1, configuration errors 2, CliExit its own code, with one line on stderr. */
export function runClientAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (error instanceof ApiError) return fail(EXIT.FAILURE, `error: ${error.message}`);
      if (error instanceof ConfigError) return fail(EXIT.USAGE, `error: ${error.message}`);
      if (error instanceof CliExit) return fail(error.code, `error: ${error.message}`);
      throw error;
    }
  };
}

function fail(code: number, message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

/** Prints a value as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints `key: value` lines, skipping empty values, the keys aligned. */
export function printFields(fields: readonly (readonly [string, string | undefined])[]): void {
  const shown = fields.filter((field): field is readonly [string, string] => field[1] !== undefined && field[1] !== '');
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  for (const [key, value] of shown) process.stdout.write(`${`${key}:`.padEnd(width + 2)}${value}\n`);
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02 03:04:05`. */
export function shortTime(time: string | undefined): string {
  return time ? time.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '';
}

/** Reads a positive integer flag, or fails with a usage error. */
export function parsePageSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const size = Number(value);
  if (!Number.isInteger(size) || size <= 0) throw new CliExit(EXIT.USAGE, `--page-size: not a positive integer: ${value}`);
  return size;
}

/** `--poll-seconds` as `{ pollMs }` (empty when not given), or a usage error for a value that is not a positive number. */
export function pollOption(value: string | undefined): { pollMs?: number } {
  if (value === undefined) return {};
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliExit(EXIT.USAGE, `--poll-seconds: not a positive number: ${value}`);
  return { pollMs: seconds * 1000 };
}

/** Every page (with `all`) or the first, through a page-listing call. */
export async function collectPages<T>(
  list: (pageSize?: number, pageToken?: string) => Promise<{ items: T[]; nextPageToken: string | undefined }>,
  pageSize: number | undefined,
  all: boolean,
): Promise<{ items: T[]; nextPageToken: string | undefined }> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await list(pageSize, token);
    items.push(...page.items);
    token = page.nextPageToken;
  } while (all && token !== undefined);
  return { items, nextPageToken: token };
}

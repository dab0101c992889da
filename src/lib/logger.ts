/**
 * A small structured logger: one JSON object per line on a writable stream (stderr by
 * default), with a level filter. Enough for request logs and lifecycle events without a
 * dependency; swap for pino in server/ if you need transports. Field names are shared by every
 * line (`event`, `batch`, `tenant`, `model`, `state`, `requestId`, `status` for an HTTP status,
 * `rpcStatus`, `…Ms`): see src/observability/lifecycle-log.ts and the README's "Logs".
 */
import type { Writable } from 'node:stream';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  stream?: Writable;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const threshold = LOG_LEVELS.indexOf(options.level);
  const base = options.base ?? {};
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const record = { time: new Date().toISOString(), level, msg: message, ...base, ...fields };
    stream.write(`${JSON.stringify(record, errorReplacer)}\n`);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export const silentLogger: Logger = createLogger({ level: 'silent' });

/**
 * Keeps a server process's stderr a JSON-lines stream. Node prints process warnings
 * (`process.emitWarning`: deprecations, experimental features, and libraries' own notices such as
 * the AWS SDK v3's "NodeVersionSupportWarning" on Node < 22) as plain multi-line text, and
 * libraries may `console.warn` / `console.error`; either would break a log shipper parsing the
 * stream. `installProcessWarnings` replaces Node's printing listener with one that writes each
 * warning as a logger line (`event: "process.warning"`), and routes `console.warn` and
 * `console.error` to the logger too (`event: "console"`). stdout (the start-up banner) is left alone.
 *
 * Called once by the long-running commands (`batchmode serve`, `batchmode worker`) right after
 * their logger exists and before the storage is opened (the S3 client warns when it is created).
 * The AWS SDK's own `logger` option stays at its default, a no-op: it writes nothing.
 */
import { format } from 'node:util';
import type { Logger } from '../lib/logger.js';

export interface ProcessWarningsOptions {
  /** Route `console.warn` / `console.error` to the logger too (default true). */
  console?: boolean;
}

/** Installs the handlers; the function returned puts back what was there (for tests). */
export function installProcessWarnings(logger: Logger, options: ProcessWarningsOptions = {}): () => void {
  // Node's default printer is an ordinary 'warning' listener (absent under --no-warnings).
  const printers = process.listeners('warning');
  for (const printer of printers) process.removeListener('warning', printer);
  const onWarning = (warning: Error & { code?: string; detail?: string }): void => {
    logger.warn(warning.message, {
      event: 'process.warning', name: warning.name,
      ...(warning.code === undefined ? {} : { code: warning.code }),
      ...(warning.detail === undefined ? {} : { detail: warning.detail }),
    });
  };
  process.on('warning', onWarning);

  const original = { warn: console.warn, error: console.error };
  if (options.console !== false) {
    console.warn = (...args: unknown[]) => logger.warn(format(...args), { event: 'console' });
    console.error = (...args: unknown[]) => logger.error(format(...args), { event: 'console' });
  }

  return () => {
    process.removeListener('warning', onWarning);
    for (const printer of printers) process.on('warning', printer);
    console.warn = original.warn;
    console.error = original.error;
  };
}

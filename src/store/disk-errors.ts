/**
 * Disk errors as the API and the engine should see them: a full disk (ENOSPC) or an exhausted
 * quota (EDQUOT) is not a bug of the request but a temporary condition of the server, so it
 * becomes UNAVAILABLE (503, retryable) with a message that names the disk; anything else is
 * passed through unchanged.
 */
import { AppError } from '../core/errors.js';

/** File system codes, and SQLite's own for a database that cannot grow. */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

export function isDiskFull(error: unknown): boolean {
  return typeof error === 'object' && error !== null && FULL_CODES.has(String((error as { code?: unknown }).code));
}

export function asDiskError(error: unknown): unknown {
  if (!isDiskFull(error)) return error;
  const code = String((error as { code?: unknown }).code);
  return new AppError('UNAVAILABLE', `The server's data directory is out of disk space (${code}); nothing was stored. Try again once space is freed.`, {
    cause: error,
  });
}

/** Runs `operation`, turning a full-disk failure into UNAVAILABLE. */
export async function onDisk<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw asDiskError(error);
  }
}

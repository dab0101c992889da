/**
 * One server process per data directory: `<data-dir>/batchmode.pid` holds the owner's pid. A
 * lock left by a process that no longer runs (a crash, kill -9) is taken over; a live owner
 * makes the start fail with a clear message. Holding the lock also means every shard lease
 * in the embedded store belonged to a dead process and can be released at once.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock; resolves a release function. Throws DataDirInUseError if a live process holds it. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'batchmode.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(path, 'utf8').trim()) || undefined;
  } catch {
    holder = undefined;
  }
  if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
    throw new DataDirInUseError(`The data directory ${dataDir} is in use by process ${holder}. Stop it, or give this server another --data-dir.`);
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}

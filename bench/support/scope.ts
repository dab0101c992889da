/**
 * Cleanup for the benchmarks: temp directories, child processes and other teardown, undone
 * when the scope closes (after each figure, on failure too) and, as a last resort, synchronously
 * when the bench process exits (Ctrl-C, a crash): no server or multi-gigabyte file outlives it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Scope {
  /** A new directory under the system temp dir, removed when the scope closes. */
  tempDir(prefix: string): string;
  /** A child process, killed (SIGKILL) when the scope closes if it is still running. */
  track(child: ChildProcess): void;
  /** Teardown run when the scope closes, last registered first. */
  defer(cleanup: () => Promise<void> | void): void;
  /** A nested scope, closed with this one if not before. */
  child(): Scope;
  /** Runs the teardown, kills what is left, removes the directories; never throws. */
  close(): Promise<void>;
  /** The synchronous last resort for process 'exit': kills children, removes directories. */
  closeSync(): void;
}

export function createScope(onError: (message: string) => void = () => undefined): Scope {
  const directories: string[] = [];
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const nested = new Set<Scope>();
  let closed = false;

  const killChildren = (): void => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  };
  const removeDirectories = (): void => {
    for (const directory of directories.splice(0)) {
      try {
        rmSync(directory, { recursive: true, force: true });
      } catch (error) {
        onError(`could not remove ${directory}: ${String(error)}`);
      }
    }
  };

  const scope: Scope = {
    tempDir(prefix) {
      const directory = mkdtempSync(join(tmpdir(), `batchmode-bench-${prefix}-`));
      directories.push(directory);
      return directory;
    },
    track(child) {
      children.push(child);
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    child() {
      const inner = createScope(onError);
      nested.add(inner);
      cleanups.push(async () => {
        await inner.close();
        nested.delete(inner);
      });
      return inner;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          onError(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      killChildren();
      removeDirectories();
    },
    closeSync() {
      for (const inner of nested) inner.closeSync();
      killChildren();
      removeDirectories();
    },
  };
  return scope;
}

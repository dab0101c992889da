/**
 * Appends to a local file with `writeSync`, grouping the appends of one tick into one write
 * (and one promise: every append of a write gets the same one).
 * The promise of an append resolves only after its bytes were written, so a caller that waits
 * for it knows a SIGKILL can no longer lose them (the page cache survives the process).
 *
 * A failed write (a full disk, an I/O error) rejects every append of that write and every later
 * one: the file may now end in a partial line, which its reader drops (the shard log keeps only
 * whole lines), so appending after it would corrupt the log. Nothing is ever thrown outside a
 * returned promise.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { BlobAppender } from '../blob-store.js';
import { asDiskError } from '../disk-errors.js';

/** The appends of one flush: they share one promise, settled once the flush wrote (or failed). */
interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}

export function openLocalAppender(path: string): BlobAppender {
  const fd = openSync(path, 'a');
  let pending: string[] = [];
  let batch: Batch | undefined;
  let scheduled = false;
  let closed = false;
  let failure: Error | undefined;

  const write = (data: string): void => {
    const bytes = Buffer.byteLength(data);
    // A string write returns the bytes written; a short write (rare, e.g. a full disk) is finished from a buffer.
    const written = writeSync(fd, data);
    if (written < bytes) {
      const rest = Buffer.from(data).subarray(written);
      for (let offset = 0; offset < rest.length; ) offset += writeSync(fd, rest, offset);
    }
  };

  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const data = pending.length === 1 ? pending[0] ?? '' : pending.join('');
    const done = batch;
    pending = [];
    batch = undefined;
    if (failure === undefined) {
      try {
        write(data);
      } catch (error) {
        const converted = asDiskError(error);
        failure = converted instanceof Error ? converted : new Error(String(converted));
      }
    }
    if (done === undefined) return;
    if (failure === undefined) done.resolve();
    else done.reject(failure);
  };

  return {
    append(data) {
      if (closed) return Promise.reject(new Error(`appender for ${path} is closed`));
      if (failure !== undefined) return Promise.reject(failure);
      pending.push(data);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      batch ??= newBatch();
      return batch.promise;
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      closeSync(fd);
    },
  };
}

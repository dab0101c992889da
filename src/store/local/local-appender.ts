/**
 * Appends to a local file with `writeSync`, grouping the appends of one tick into one write
 * (and one promise: every append of a write gets the same one). The tick's strings are encoded
 * one after another into a buffer kept for the appender's life (1 MiB; a fuller tick is written
 * in several pieces), rather than joined into one string and encoded again: on the batch run
 * path, where every result line passes here, the join and its copy were ~8 % of the CPU.
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

/** The encoding buffer's size; a string that may need more (3 bytes a UTF-16 unit) is written on its own. */
const BUFFER_BYTES = 1024 * 1024;
const MAX_UTF8_BYTES_PER_UNIT = 3;

export function openLocalAppender(path: string): BlobAppender {
  const fd = openSync(path, 'a');
  let pending: string[] = [];
  let batch: Batch | undefined;
  let scheduled = false;
  let closed = false;
  let failure: Error | undefined;
  let buffer: Buffer | undefined;

  /** Writes all of `bytes` (a short write, rare, e.g. on a full disk, is continued). */
  const writeAll = (bytes: Buffer): void => {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
  };

  /**
   * Writes a long string (an image result: half a megabyte of base64) straight from the string,
   * as fs encodes it into memory of its own that is freed at once: a Buffer made for it would
   * live until the next garbage collection, and with many in flight that is hundreds of MiB.
   */
  const writeString = (text: string): void => {
    const written = writeSync(fd, text);
    if (written < Buffer.byteLength(text)) writeAll(Buffer.from(text).subarray(written));
  };

  /** Encodes `strings` in order into the buffer, writing it out whenever the next might not fit. */
  const write = (strings: readonly string[]): void => {
    buffer ??= Buffer.allocUnsafeSlow(BUFFER_BYTES);
    let used = 0;
    for (const text of strings) {
      const most = text.length * MAX_UTF8_BYTES_PER_UNIT;
      if (used + most > BUFFER_BYTES && used > 0) {
        writeAll(buffer.subarray(0, used));
        used = 0;
      }
      if (most > BUFFER_BYTES) writeString(text);
      else used += buffer.write(text, used);
    }
    if (used > 0) writeAll(buffer.subarray(0, used));
  };

  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const strings = pending;
    const done = batch;
    pending = [];
    batch = undefined;
    if (failure === undefined) {
      try {
        write(strings);
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

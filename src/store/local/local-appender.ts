/**
 * Appends to a local file, grouping the appends made while no write is running into one write
 * (and one promise: every append of a write gets the same one). The grouped strings are encoded
 * one after another into a buffer kept for the appender's life (1 MiB; a larger group is
 * written in several pieces), rather than joined into one string and encoded again: on the
 * batch run path, where every result line passes here, the join and its copy were ~8 % of the
 * CPU. Writes go through libuv's thread pool, one at a time, so a disk that is slow to take
 * them (the kernel throttling a writer with many dirty pages) holds up only this file's next
 * write, never the event loop; appends made meanwhile wait for it and go out together.
 * The promise of an append resolves only after its bytes were written, so a caller that waits
 * for it knows a SIGKILL can no longer lose them (the page cache survives the process).
 *
 * A failed write (a full disk, an I/O error) rejects every append of that write and every later
 * one: the file may now end in a partial line, which its reader drops (the shard log keeps only
 * whole lines), so appending after it would corrupt the log. Nothing is ever thrown outside a
 * returned promise.
 */
import { close as closeFd, openSync, write as writeFd } from 'node:fs';
import { promisify } from 'node:util';
import type { BlobAppender } from '../blob-store.js';
import { asDiskError } from '../disk-errors.js';

/** The appends of one write: they share one promise, settled once the write is done (or failed). */
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

const writeBytes = (fd: number, bytes: Buffer, offset: number, length: number): Promise<number> =>
  new Promise((resolve, reject) => {
    writeFd(fd, bytes, offset, length, null, (error, written) => (error ? reject(error) : resolve(written)));
  });
const writeText = (fd: number, text: string): Promise<number> =>
  new Promise((resolve, reject) => {
    writeFd(fd, text, null, 'utf8', (error, written) => (error ? reject(error) : resolve(written)));
  });
const closeFile = promisify(closeFd);

export function openLocalAppender(path: string): BlobAppender {
  const fd = openSync(path, 'a');
  let pending: string[] = [];
  let batch: Batch | undefined;
  let scheduled = false;
  let closed = false;
  let failure: Error | undefined;
  let buffer: Buffer | undefined;
  /** The write running now, if any. */
  let writing: Promise<void> | undefined;

  /** Writes all of `bytes[0, length)` (a short write, rare, e.g. on a full disk, is continued). */
  const writeAll = async (bytes: Buffer, length: number): Promise<void> => {
    for (let offset = 0; offset < length; ) offset += await writeBytes(fd, bytes, offset, length - offset);
  };

  /**
   * Writes a long string (an image result: half a megabyte of base64) straight from the string,
   * as fs encodes it into memory of its own that is freed at once: a Buffer made for it would
   * live until the next garbage collection, and with many in flight that is hundreds of MiB.
   */
  const writeString = async (text: string): Promise<void> => {
    const written = await writeText(fd, text);
    if (written < Buffer.byteLength(text)) {
      const rest = Buffer.from(text).subarray(written);
      await writeAll(rest, rest.length);
    }
  };

  /** Encodes `strings` in order into the buffer, writing it out whenever the next might not fit. */
  const write = async (strings: readonly string[]): Promise<void> => {
    buffer ??= Buffer.allocUnsafeSlow(BUFFER_BYTES);
    let used = 0;
    for (const text of strings) {
      const most = text.length * MAX_UTF8_BYTES_PER_UNIT;
      if (used + most > BUFFER_BYTES && used > 0) {
        await writeAll(buffer, used);
        used = 0;
      }
      if (most > BUFFER_BYTES) await writeString(text);
      else used += buffer.write(text, used);
    }
    if (used > 0) await writeAll(buffer, used);
  };

  /** Starts writing what is pending, unless a write is running (its end starts the next). */
  const flush = (): void => {
    scheduled = false;
    if (writing !== undefined || pending.length === 0) return;
    const strings = pending;
    const done = batch;
    pending = [];
    batch = undefined;
    if (failure !== undefined) {
      done?.reject(failure);
      return;
    }
    writing = write(strings).then(() => done?.resolve(), (error: unknown) => {
      const converted = asDiskError(error);
      failure = converted instanceof Error ? converted : new Error(String(converted));
      done?.reject(failure);
    }).finally(() => {
      writing = undefined;
      flush();
    });
  };

  return {
    append(data) {
      if (closed) return Promise.reject(new Error(`appender for ${path} is closed`));
      if (failure !== undefined) return Promise.reject(failure);
      pending.push(data);
      if (!scheduled && writing === undefined) {
        scheduled = true;
        setImmediate(flush);
      }
      batch ??= newBatch();
      return batch.promise;
    },
    async close() {
      if (closed) return;
      closed = true;
      flush();
      // Each write's end starts the next, until nothing is pending.
      while (writing !== undefined) await writing;
      await closeFile(fd);
    },
  };
}

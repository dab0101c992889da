/**
 * Appends to a local file with `writeSync`, grouping the appends of one tick into one write.
 * The promise of an append resolves only after its bytes were written, so a caller that waits
 * for it knows a SIGKILL can no longer lose them (the page cache survives the process).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { BlobAppender } from '../blob-store.js';

export function openLocalAppender(path: string): BlobAppender {
  const fd = openSync(path, 'a');
  let pending: string[] = [];
  let waiters: (() => void)[] = [];
  let scheduled = false;
  let closed = false;

  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const data = pending.length === 1 ? pending[0] ?? '' : pending.join('');
    const done = waiters;
    pending = [];
    waiters = [];
    const bytes = Buffer.byteLength(data);
    // A string write returns the bytes written; a short write (rare, e.g. a full disk) is finished from a buffer.
    const written = writeSync(fd, data);
    if (written < bytes) {
      const rest = Buffer.from(data).subarray(written);
      for (let offset = 0; offset < rest.length; ) offset += writeSync(fd, rest, offset);
    }
    for (const resolve of done) resolve();
  };

  return {
    append(data) {
      if (closed) return Promise.reject(new Error(`appender for ${path} is closed`));
      pending.push(data);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      closeSync(fd);
    },
  };
}

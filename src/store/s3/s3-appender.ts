/**
 * Group commit for appenders on S3. An append queues its line; whenever no segment write is in
 * flight and something is queued, the appender waits `flushMs` (so that one segment carries many
 * lines, bounding the number of objects) and then writes everything queued as ONE new segment.
 * An append's promise resolves only once the segment holding it is stored, so a SIGKILL after
 * that cannot lose it; a failed write rejects exactly the appends it carried. `close` writes
 * whatever is still queued and waits for it.
 */
import type { BlobAppender } from '../blob-store.js';

/** Writes `bytes` as a new segment whose name sorts at `offset`. */
export type WriteSegment = (offset: number, bytes: Buffer) => Promise<void>;

/** What an S3 appender needs: where it starts, how long it gathers, how it writes. */
export interface S3AppenderOptions {
  /** The blob's size when opened: the first segment's name offset. */
  startOffset: number;
  /** How long to gather appends before a write, in milliseconds. */
  flushMs: number;
  writeSegment: WriteSegment;
  /** Names the blob in errors. */
  key: string;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** An appender that writes one segment per group of appends. */
export function openS3Appender({ startOffset, flushMs, writeSegment, key }: S3AppenderOptions): BlobAppender {
  let offset = startOffset;
  let queued: string[] = [];
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let closed = false;

  const schedule = (): void => {
    if (writing !== undefined || timer !== undefined || queued.length === 0) return;
    timer = setTimeout(flush, flushMs);
  };

  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (writing !== undefined || queued.length === 0) return;
    const bytes = Buffer.from(queued.join(''));
    const carried = waiters;
    queued = [];
    waiters = [];
    if (bytes.length === 0) {
      for (const waiter of carried) waiter.resolve();
      return;
    }
    const at = offset;
    // Advance even when the write fails: it may still have been stored, and later segments must sort after it.
    offset += bytes.length;
    writing = writeSegment(at, bytes)
      .then(
        () => carried.forEach((waiter) => waiter.resolve()),
        (error: unknown) => carried.forEach((waiter) => waiter.reject(error)),
      )
      .finally(() => {
        writing = undefined;
        if (closed) flush();
        else schedule();
      });
  };

  return {
    append(data) {
      if (closed) return Promise.reject(new Error(`appender for blob ${key} is closed`));
      return new Promise<void>((resolve, reject) => {
        queued.push(data);
        waiters.push({ resolve, reject });
        schedule();
      });
    },
    async close() {
      closed = true;
      flush();
      while (writing !== undefined) await writing;
    },
  };
}

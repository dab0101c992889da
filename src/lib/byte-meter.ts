/**
 * A pass-through stream that hashes and counts the bytes going through it, optionally drops a
 * prefix (bytes a client sent again), and fails once more than `maxBytes` have passed. Used on
 * the upload path so that hashing costs no extra read of the file.
 */
import type { Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface ByteMeterOptions {
  hash: Hash;
  /** Bytes at the start of the stream to drop without hashing or counting. */
  skipBytes?: number;
  /** Fail with a TooManyBytesError when more than this many bytes pass. */
  maxBytes: number;
}

export class TooManyBytesError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
    this.name = 'TooManyBytesError';
  }
}

export class ByteMeter extends Transform {
  /** Bytes passed on (after the skipped prefix). */
  bytes = 0;
  private skipRemaining: number;

  constructor(private readonly options: ByteMeterOptions) {
    super();
    this.skipRemaining = options.skipBytes ?? 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let data = chunk;
    if (this.skipRemaining > 0) {
      const dropped = Math.min(this.skipRemaining, data.length);
      this.skipRemaining -= dropped;
      data = data.subarray(dropped);
      if (data.length === 0) {
        callback();
        return;
      }
    }
    this.bytes += data.length;
    if (this.bytes > this.options.maxBytes) {
      callback(new TooManyBytesError(this.options.maxBytes));
      return;
    }
    this.options.hash.update(data);
    callback(null, data);
  }
}

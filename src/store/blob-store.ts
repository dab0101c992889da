/**
 * The port for file bytes. Implementations stream; nothing here takes or returns a whole
 * file in memory. Keys are relative paths such as `files/<tenant>/<id>`.
 */
import type { Readable } from 'node:stream';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/**
 * An open blob that lines are appended to. `append` resolves only once the bytes are durable
 * against the process being killed (local disk: handed to the operating system; S3: stored as a
 * segment object); appends made close together are written together (one write per tick on
 * local disk, one segment per flush window on S3).
 */
export interface BlobAppender {
  append(data: string): Promise<void>;
  close(): Promise<void>;
}

export interface BlobStore {
  /** Opens the blob (creating it) for appending. */
  openAppender(key: string): Promise<BlobAppender>;
  /** Appends the stream's bytes to the blob (creating it); resolves the blob's new size. */
  append(key: string, source: Readable): Promise<number>;
  /** Reads the blob, or one byte range of it. Rejects with NOT_FOUND when absent. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * The blob, or one byte range of it (an end past the blob stops at its end), in one Buffer:
   * optional, for adapters that can read it in one call (local disk); `readBlobBytes`
   * (read-blob.ts) falls back to `read`. Rejects with NOT_FOUND when absent.
   */
  readBytes?(key: string, range?: ByteRange): Promise<Buffer>;
  /** Size in bytes, or undefined when the blob does not exist. */
  size(key: string): Promise<number | undefined>;
  /** Cuts the blob down to `sizeBytes` (drops bytes of a chunk that failed half-way). */
  truncate(key: string, sizeBytes: number): Promise<void>;
  /** Copies a blob (an independent snapshot; local disk uses a hard link, so it is instant). */
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Renames a blob (staging → final). */
  move(fromKey: string, toKey: string): Promise<void>;
  /** Removes a blob; absent blobs are not an error. */
  delete(key: string): Promise<void>;
  /** Removes every blob whose key starts with `prefix` (e.g. `batches/<id>/`). */
  deletePrefix(prefix: string): Promise<void>;
}

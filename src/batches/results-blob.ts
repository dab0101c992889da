/**
 * Writing one results blob of a finalize run: chunks (one shard's lines each) are pulled into
 * the blob store with back-pressure while their SHA-256 and size are taken for the results file
 * record. A failure on either side (a shard log unreadable, the disk full) rejects, and the
 * partial blob is removed.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore } from '../store/blob-store.js';

export interface WrittenBlob {
  key: string;
  sizeBytes: number;
  sha256Hex: string;
}

export async function writeResultsBlob(blobs: BlobStore, key: string, chunks: AsyncIterable<Buffer>): Promise<WrittenBlob> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  async function* measured(): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      yield chunk;
    }
  }
  try {
    await blobs.append(key, Readable.from(measured(), { objectMode: false }));
  } catch (error) {
    await blobs.delete(key).catch(() => undefined);
    throw error;
  }
  return { key, sizeBytes, sha256Hex: hash.digest('hex') };
}

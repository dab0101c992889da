/**
 * A blob's bytes (or a range of them) in one Buffer, for the small blobs read whole: a shard's
 * output log, a range of a large one, a batch's frozen caches. Streams stay the way for anything
 * that can be large.
 */
import type { BlobStore, ByteRange } from './blob-store.js';

export async function readBlobBytes(blobs: BlobStore, key: string, range?: ByteRange): Promise<Buffer> {
  // One read into one Buffer where the adapter can (local disk): no stream chunks to gather.
  if (blobs.readBytes) return blobs.readBytes(key, range);
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.read(key, range)) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

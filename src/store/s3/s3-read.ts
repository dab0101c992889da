/**
 * Reads a byte range of a blob as one stream over its segments: a ranged GetObject for each
 * overlapping segment, one after the other, pulled only as fast as the consumer reads.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { callS3, type S3Target } from './s3-call.js';
import type { Segment } from './s3-segments.js';

/** Streams bytes `start`..`end` (inclusive, already within the blob) of the listed segments. */
export function readSegments(target: S3Target, segments: readonly Segment[], start: number, end: number): Readable {
  return Readable.from(segmentBytes(target, segments, start, end), { objectMode: false });
}

async function* segmentBytes(target: S3Target, segments: readonly Segment[], start: number, end: number): AsyncGenerator<Buffer> {
  for (const segment of segments) {
    const from = Math.max(start, segment.start) - segment.start;
    const to = Math.min(end, segment.start + segment.sizeBytes - 1) - segment.start;
    if (from > to) continue;
    const whole = from === 0 && to === segment.sizeBytes - 1;
    const response = await callS3('GetObject', segment.objectKey, () =>
      target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: segment.objectKey, ...(whole ? {} : { Range: `bytes=${from}-${to}` }) })),
    );
    const body = response.Body;
    if (!(body instanceof Readable)) throw new Error(`S3 GetObject of ${segment.objectKey} returned no Node stream`);
    // Count bytes ourselves: s3rver answers "bytes=0-0" with the whole object.
    let remaining = to - from + 1;
    for await (const chunk of body as AsyncIterable<unknown>) {
      const data = chunkToBuffer(chunk);
      if (data.length >= remaining) {
        yield data.subarray(0, remaining);
        remaining = 0;
        break;
      }
      remaining -= data.length;
      yield data;
    }
    if (remaining > 0) throw new Error(`S3 segment ${segment.objectKey} ended ${remaining} bytes early (the blob changed while it was read)`);
  }
}

/** A stream chunk as a Buffer (streams hand out Buffers, strings or Uint8Arrays). */
export function chunkToBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`expected a byte stream, got a chunk of type ${typeof chunk}`);
}

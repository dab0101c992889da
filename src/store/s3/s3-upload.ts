/**
 * Writes a stream as one S3 object with at most two part buffers in memory: one PutObject when
 * the stream ends within the first part, else a multipart upload that sends part N while part
 * N+1 is read. Nothing becomes visible unless the whole stream arrives: a failure before
 * CompleteMultipartUpload leaves no object (the upload is aborted where the server allows).
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { callS3, type S3Target } from './s3-call.js';
import { chunkToBuffer } from './s3-read.js';

/** S3's smallest part size (every part but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** Stores `bytes` as `objectKey` with one PutObject. */
export async function putObject(target: S3Target, objectKey: string, bytes: Buffer): Promise<void> {
  await callS3('PutObject', objectKey, () =>
    target.client.send(new PutObjectCommand({ Bucket: target.bucket, Key: objectKey, Body: bytes, ContentLength: bytes.length })),
  );
}

/** Stores the stream's bytes as `objectKey`; resolves their count. */
export async function putStream(target: S3Target, objectKey: string, source: Readable, partSizeBytes: number): Promise<number> {
  const parts = readParts(source, partSizeBytes);
  try {
    const first = await parts.next();
    if (first.done) {
      await putObject(target, objectKey, Buffer.alloc(0));
      return 0;
    }
    const second = await parts.next();
    if (second.done) {
      await putObject(target, objectKey, first.value);
      return first.value.length;
    }
    return await putMultipart(target, objectKey, first.value, second, parts);
  } finally {
    await parts.return(undefined); // stops reading (and destroys) the source after a failure
  }
}

async function putMultipart(
  target: S3Target,
  objectKey: string,
  first: Buffer,
  second: IteratorResult<Buffer>,
  parts: AsyncGenerator<Buffer>,
): Promise<number> {
  const { client, bucket } = target;
  const created = await callS3('CreateMultipartUpload', objectKey, () =>
    client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: objectKey })),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error(`S3 CreateMultipartUpload of ${objectKey} returned no UploadId`);
  const completed: CompletedPart[] = [];
  let total = 0;
  try {
    let current = first;
    let lookahead: IteratorResult<Buffer> | undefined = second;
    for (;;) {
      const PartNumber = completed.length + 1;
      const body = current;
      const uploading = callS3(`UploadPart ${PartNumber}`, objectKey, () =>
        client.send(new UploadPartCommand({ Bucket: bucket, Key: objectKey, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length })),
      );
      uploading.catch(() => undefined); // awaited below; this keeps a failure during the read from going unhandled
      let next: IteratorResult<Buffer>;
      try {
        next = lookahead ?? (await parts.next()); // the next part is read while this one uploads
      } finally {
        lookahead = undefined;
        await uploading.catch(() => undefined);
      }
      const { ETag } = await uploading;
      completed.push({ PartNumber, ETag });
      total += body.length;
      if (next.done) break;
      current = next.value;
    }
    await callS3('CompleteMultipartUpload', objectKey, () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: objectKey, UploadId: uploadId, MultipartUpload: { Parts: completed } })),
    );
    return total;
  } catch (error) {
    // Best effort: s3rver (and some clones) do not implement it; real S3 also expires stale uploads by lifecycle rule.
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: objectKey, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}

/** Cuts a byte stream into parts of exactly `partSizeBytes` (the last may be shorter; none when empty). */
async function* readParts(source: Readable, partSizeBytes: number): AsyncGenerator<Buffer, void, undefined> {
  let chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of source as AsyncIterable<unknown>) {
    let data = chunkToBuffer(chunk);
    while (length + data.length >= partSizeBytes) {
      const take = partSizeBytes - length;
      chunks.push(data.subarray(0, take));
      const part = Buffer.concat(chunks, partSizeBytes);
      chunks = [];
      length = 0;
      data = data.subarray(take);
      yield part;
    }
    if (data.length > 0) {
      chunks.push(data);
      length += data.length;
    }
  }
  if (length > 0) yield Buffer.concat(chunks, length);
}

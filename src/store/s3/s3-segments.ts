/**
 * Naming, listing and removing the segment objects a blob is made of (see s3-blob-store.ts).
 *
 * Segment names are `<16-digit offset>-<8 random chars>`, optionally followed by `.<bytes>` for
 * a segment that a truncate cut down. The offset only orders segments; the random part keeps two
 * writers from ever overwriting each other. A cut is written beside the segment it replaces and
 * keeps its `<offset>-<random>` id, so it sorts in the same place; while both exist (a crash
 * between writing the cut and deleting the original), the shorter one counts, because truncation
 * only ever shortens.
 */
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsCommand } from '@aws-sdk/client-s3';
import { callS3, isUnsupported, type S3Target } from './s3-call.js';

/** One segment object. */
export interface Segment {
  objectKey: string;
  /** Its name inside the blob's segment folder. */
  name: string;
  /** `<offset>-<random>`: the append that wrote it (a cut keeps it). */
  id: string;
  sizeBytes: number;
  /** Where its bytes start in the blob. */
  start: number;
}

/** A blob's segments as listed. */
export interface SegmentListing {
  /** The segments that make up the blob, in order. */
  live: Segment[];
  /** Originals superseded by a cut whose delete did not happen; they hold no bytes of the blob. */
  stale: Segment[];
  /** Undefined when the blob does not exist (no segments at all). */
  sizeBytes: number | undefined;
}

const SEGMENT_NAME = /^(\d{16}-[a-z0-9]{8})(?:\.\d+)?$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Throws unless `key` is a relative blob key that stays inside the store. */
export function checkBlobKey(key: string): void {
  const parts = key.split('/');
  if (key === '' || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`blob key escapes the store or is not a plain relative path: ${key}`);
  }
  if (parts.some((part) => part.endsWith('.seg'))) throw new Error(`blob key parts must not end in ".seg": ${key}`);
}

/** The object-key prefix under which `key`'s segments live. */
export const segmentFolder = (prefix: string, key: string): string => `${prefix === '' ? '' : `${prefix}/`}${key}.seg/`;

/** A fresh segment name for bytes appended at `offset`. */
export function newSegmentName(offset: number): string {
  const random = [...randomBytes(8)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return `${String(offset).padStart(16, '0')}-${random}`;
}

/** The name of `segment` cut down to `sizeBytes`. */
export const cutSegmentName = (segment: Segment, sizeBytes: number): string => `${segment.id}.${sizeBytes}`;

/** Every object under `prefix`, paged with markers (`listPageSize` keys a request). */
export async function* listObjects(target: S3Target, prefix: string, listPageSize: number): AsyncGenerator<{ key: string; sizeBytes: number }> {
  let marker: string | undefined;
  for (;;) {
    const page = await callS3('ListObjects', prefix, () =>
      target.client.send(new ListObjectsCommand({ Bucket: target.bucket, Prefix: prefix, MaxKeys: listPageSize, ...(marker === undefined ? {} : { Marker: marker }) })),
    );
    const contents = page.Contents ?? [];
    for (const object of contents) {
      if (object.Key !== undefined) yield { key: object.Key, sizeBytes: object.Size ?? 0 };
    }
    const last = contents.at(-1)?.Key;
    if (page.IsTruncated !== true || last === undefined) return;
    marker = page.NextMarker ?? last;
  }
}

/** Lists the segments in `folder` and works out which count and where each starts. */
export async function listSegments(target: S3Target, folder: string, listPageSize: number): Promise<SegmentListing> {
  const byId = new Map<string, Segment[]>();
  for await (const object of listObjects(target, folder, listPageSize)) {
    const name = object.key.slice(folder.length);
    const id = SEGMENT_NAME.exec(name)?.[1];
    if (id === undefined) continue; // not a segment of this blob (e.g. something nested deeper)
    const versions = byId.get(id) ?? [];
    versions.push({ objectKey: object.key, name, id, sizeBytes: object.sizeBytes, start: 0 });
    byId.set(id, versions);
  }
  if (byId.size === 0) return { live: [], stale: [], sizeBytes: undefined };
  const live: Segment[] = [];
  const stale: Segment[] = [];
  for (const [, versions] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [shortest, ...superseded] = versions.sort((a, b) => a.sizeBytes - b.sizeBytes);
    if (shortest) live.push(shortest);
    stale.push(...superseded);
  }
  let offset = 0;
  for (const segment of live) {
    segment.start = offset;
    offset += segment.sizeBytes;
  }
  return { live, stale, sizeBytes: offset };
}

/** Deletes objects, 1000 a request, one by one where the server lacks multi-object delete. */
export async function deleteObjects(target: S3Target, keys: readonly string[]): Promise<void> {
  for (let index = 0; index < keys.length; index += 1000) {
    const page = keys.slice(index, index + 1000);
    try {
      const result = await callS3('DeleteObjects', page[0] ?? '', () =>
        target.client.send(new DeleteObjectsCommand({ Bucket: target.bucket, Delete: { Objects: page.map((Key) => ({ Key })), Quiet: true } })),
      );
      const failed = result.Errors?.[0];
      if (failed) throw new Error(`S3 DeleteObjects of ${failed.Key ?? '?'} failed: ${failed.Code ?? 'Error'}: ${failed.Message ?? ''} (${result.Errors?.length ?? 0} keys not deleted)`);
    } catch (error) {
      if (!isUnsupported(error)) throw error;
      await forEachLimit(page, 8, (key) => deleteObject(target, key));
    }
  }
}

/** Deletes one object (absent is fine). */
export async function deleteObject(target: S3Target, key: string): Promise<void> {
  await callS3('DeleteObject', key, () => target.client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key })));
}

/** Runs `task` on every item, at most `limit` at a time; rejects with the first failure. */
export async function forEachLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = items.values(); // shared: each worker takes the next item
  const worker = async (): Promise<void> => {
    for (const item of queue) await task(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

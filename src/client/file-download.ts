/**
 * Downloading a file's bytes (`/download/v1beta/files/{id}:download?alt=media`), streamed so
 * memory stays flat, through transient failures: into a path, a failure before or during the
 * body starts over, asking for the rest (`Range: bytes=N-`, N the bytes already on disk) and
 * appending when the server answers 206 from N, else truncating the file and taking it whole;
 * into an open stream (stdout), it starts over only while nothing was written yet.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiError, connectionError } from './api-error.js';
import type { Transport } from './http-transport.js';
import { retryStreak } from './retrying-call.js';

const WHAT = 'files.download';

/** `files/abc`, `abc` → `files/abc`; the same for batches. */
export const resourceName = (collection: 'files' | 'batches', name: string): string =>
  name.startsWith(`${collection}/`) ? name : `${collection}/${name}`;

const downloadPath = (name: string): string => `/download/v1beta/${resourceName('files', name)}:download?alt=media`;

/** The body's chunks; a connection that breaks while they come is a transient ApiError. */
async function* bodyOf(transport: Transport, response: Response): AsyncGenerator<Buffer> {
  if (!response.body) throw new ApiError(`${WHAT}: empty response`, response.status, undefined);
  try {
    for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) yield chunk as Buffer;
  } catch (error) {
    throw connectionError(WHAT, transport.baseUrl, error, 'body');
  }
}

/** The first byte of a 206's `Content-Range: bytes 100-199/200`, or undefined. */
function rangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The whole file's size: a 206's `Content-Range` total, a 200's `Content-Length`. */
function sizeOf(response: Response): number | undefined {
  const text = response.status === 206 ? /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] : response.headers.get('content-length');
  return text ? Number(text) : undefined;
}

const sizeOnDisk = async (path: string): Promise<number> => (await stat(path).catch(() => ({ size: 0 }))).size;

/** Streams a file's bytes into `path`; resolves the file's size. */
export async function downloadToPath(transport: Transport, name: string, path: string, onProgress?: (bytes: number) => void): Promise<number> {
  const streak = retryStreak(WHAT, transport.policy);
  let resumeAt = 0;
  /** The file's size, once an answer said. */
  let total: number | undefined;
  for (;;) {
    try {
      if (total !== undefined && resumeAt === total) return total;
      const response = await transport.send(WHAT, downloadPath(name), resumeAt > 0 ? { headers: { range: `bytes=${resumeAt}-` } } : {});
      const append = resumeAt > 0 && response.status === 206 && rangeStart(response) === resumeAt;
      total = sizeOf(response) ?? total;
      let bytes = append ? resumeAt : 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          streak.succeeded();
          onProgress?.(bytes);
          done(null, chunk);
        },
      });
      await pipeline(bodyOf(transport, response), meter, createWriteStream(path, { flags: append ? 'a' : 'w' }));
      return bytes;
    } catch (error) {
      await streak.failed(error);
      // What reached the disk is a prefix of the file (writes are in order): go on from there.
      resumeAt = await sizeOnDisk(path);
    }
  }
}

/** Streams a file's bytes into an open stream (stdout), left open; resolves the bytes written. */
export async function downloadToStream(transport: Transport, name: string, destination: NodeJS.WritableStream): Promise<number> {
  const streak = retryStreak(WHAT, transport.policy);
  let bytes = 0;
  for (;;) {
    try {
      const response = await transport.send(WHAT, downloadPath(name));
      for await (const chunk of bodyOf(transport, response)) {
        bytes += chunk.length;
        if (!destination.write(chunk)) await once(destination, 'drain');
      }
      return bytes;
    } catch (error) {
      // Bytes already written cannot be taken back from a stream.
      if (bytes > 0) throw error;
      await streak.failed(error);
    }
  }
}

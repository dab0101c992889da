/**
 * A streaming reader for `multipart/related` uploads (Google's `uploadType=multipart`): the
 * first part is the JSON metadata, the second the file's bytes. The metadata is read into
 * memory (bounded); the bytes are handed on as a stream that holds back only a boundary's
 * worth of data, so a 2 GB upload never sits in memory.
 */
import { Readable } from 'node:stream';
import { invalidArgument } from '../core/errors.js';

export interface MultipartUpload {
  metadataText: string;
  /** Content-Type of the bytes part, if it had one. */
  contentType: string | undefined;
  content: Readable;
}

const MAX_PREAMBLE_BYTES = 1024 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

export function boundaryOf(contentType: string | undefined): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary || !/^multipart\//i.test(contentType ?? '')) {
    throw invalidArgument('A multipart upload needs Content-Type: multipart/related; boundary=…');
  }
  return boundary;
}

/** Reads the metadata part; resolves once the bytes part begins. */
export async function readMultipartRelated(body: AsyncIterable<Buffer>, boundary: string): Promise<MultipartUpload> {
  const iterator = body[Symbol.asyncIterator]();
  const delimiter = Buffer.from(`--${boundary}`);
  const partEnd = Buffer.from(`\r\n--${boundary}`);
  let buffer: Buffer = Buffer.alloc(0);

  const fill = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done) return false;
    buffer = buffer.length === 0 ? next.value : Buffer.concat([buffer, next.value]);
    return true;
  };
  const readUntil = async (marker: Buffer, what: string): Promise<Buffer> => {
    for (;;) {
      const at = buffer.indexOf(marker);
      if (at !== -1) {
        const head = buffer.subarray(0, at);
        buffer = buffer.subarray(at + marker.length);
        return head;
      }
      if (buffer.length > MAX_PREAMBLE_BYTES) throw invalidArgument(`Multipart upload: ${what} is too large or malformed.`);
      if (!(await fill())) throw invalidArgument(`Multipart upload ended before ${what}.`);
    }
  };

  await readUntil(delimiter, 'the first boundary');
  await readUntil(HEADER_END, 'the metadata part headers');
  const metadataText = (await readUntil(partEnd, 'the end of the metadata part')).toString('utf8');
  const partHeaders = (await readUntil(HEADER_END, 'the file part headers')).toString('utf8');
  const contentType = /^content-type:\s*(.+)$/im.exec(partHeaders)?.[1]?.trim();

  async function* content(): AsyncGenerator<Buffer> {
    for (;;) {
      const at = buffer.indexOf(partEnd);
      if (at !== -1) {
        if (at > 0) yield buffer.subarray(0, at);
        // Whatever follows (closing `--` and an epilogue) is read and dropped.
        for (let next = await iterator.next(); !next.done; next = await iterator.next());
        return;
      }
      // Keep back what could be the start of the closing delimiter.
      const safe = buffer.length - partEnd.length;
      if (safe > 0) {
        yield buffer.subarray(0, safe);
        buffer = buffer.subarray(safe);
      }
      if (!(await fill())) throw invalidArgument('Multipart upload ended without its closing boundary.');
    }
  }
  return { metadataText, contentType, content: Readable.from(content(), { objectMode: false }) };
}

/**
 * Cutting a batch input file into chunks of whole lines for checking (plan-input-file.ts), in
 * buffers that are used again. Each chunk's buffer is moved to a line-check thread and moved
 * back with its answer (line-check-pool.ts), so a create holds a few chunk buffers however
 * large its file is. Buffers made once per chunk and freed on another thread's garbage
 * collection piled up to ~60 MiB a create, and glibc kept most of that resident after.
 */

/** A chunk of whole lines: the first `length` bytes of `bytes`, a buffer of its own. */
export interface LineChunk {
  bytes: Uint8Array;
  length: number;
}

const NEWLINE = 0x0a;

/** Chunk buffers to use again; a buffer given back is reused for any chunk it can hold. */
export class ChunkBuffers {
  private readonly free: Uint8Array[] = [];

  /** `capacity`: the size of a new buffer (a larger chunk gets one its own size); `keep`: buffers kept at most. */
  constructor(private readonly capacity: number, private readonly keep = 8) {}

  /** A buffer of at least `size` bytes, starting its own ArrayBuffer. */
  take(size: number): Uint8Array {
    const index = this.free.findIndex((buffer) => buffer.byteLength >= size);
    if (index !== -1) return this.free.splice(index, 1)[0] ?? new Uint8Array(size);
    return new Uint8Array(Math.max(size, this.capacity));
  }

  /** Gives `buffer` back once nothing reads it any more; a moved-away (detached) buffer is ignored. */
  give(buffer: Uint8Array): void {
    if (buffer.byteLength > 0 && this.free.length < this.keep) this.free.push(buffer);
  }
}

/**
 * Cuts a byte stream into chunks of whole lines of about `target` bytes (each chunk ends just
 * after a `\n`; only the last may not), each copied into a buffer taken from `buffers`.
 */
export async function* wholeLineChunks(
  source: AsyncIterable<Buffer | string>,
  target: number,
  buffers = new ChunkBuffers(target + Math.ceil(target / 4)),
): AsyncGenerator<LineChunk> {
  let parts: Buffer[] = [];
  let size = 0;
  /** Parts before this index hold no newline. */
  let searched = 0;
  for await (const piece of source) {
    const data = typeof piece === 'string' ? Buffer.from(piece) : piece;
    parts.push(data);
    size += data.length;
    if (size < target) continue;
    for (let index = parts.length - 1; index >= searched; index--) {
      const part = parts[index] ?? Buffer.alloc(0);
      const at = part.lastIndexOf(NEWLINE);
      if (at === -1) continue;
      const head = [...parts.slice(0, index), part.subarray(0, at + 1)];
      parts = [part.subarray(at + 1), ...parts.slice(index + 1)].filter((rest) => rest.length > 0);
      size = parts.reduce((sum, rest) => sum + rest.length, 0);
      yield joined(head, buffers);
      break;
    }
    searched = parts.length;
  }
  if (size > 0) yield joined(parts, buffers);
}

/** The parts copied into one buffer from `buffers`. */
function joined(parts: readonly Buffer[], buffers: ChunkBuffers): LineChunk {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = buffers.take(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, length };
}

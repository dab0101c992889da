/**
 * A minimal PNG encoder (8-bit RGB, no interlacing) on node:zlib alone: the signature, IHDR, one
 * IDAT holding the deflated scanlines, IEND, each chunk with its CRC-32. Every scanline uses the
 * `Sub` filter (each byte minus the byte one pixel to its left), which turns smooth gradients
 * into runs of equal bytes that deflate at level 1 squeezes well and fast. Also a reader of the
 * IHDR's size, for tests and for whoever checks that bytes are a PNG.
 */
import { crc32, deflateSync } from 'node:zlib';

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const BYTES_PER_PIXEL = 3;
/** Scratch memory up to this size is kept for the next call (encoding is synchronous); larger is allocated per call. */
export const KEPT_SCRATCH_BYTES = 16 * 1024 * 1024;
const FILTER_SUB = 1;
const COLOR_TYPE_RGB = 2;
const BIT_DEPTH = 8;

/**
 * Encodes `rgb` (`width * height * 3` bytes, rows top to bottom, R G B per pixel) as a PNG.
 * `level` is the deflate level (1, fastest, by default).
 */
export function encodePng(width: number, height: number, rgb: Uint8Array, level = 1): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`a PNG needs a positive integer size, got ${width}x${height}`);
  }
  const stride = width * BYTES_PER_PIXEL;
  if (rgb.length !== stride * height) throw new RangeError(`expected ${stride * height} bytes of RGB, got ${rgb.length}`);
  const filtered = scanlineScratch((stride + 1) * height);
  for (let y = 0, source = 0, target = 0; y < height; y++) {
    filtered[target++] = FILTER_SUB;
    for (let x = 0; x < BYTES_PER_PIXEL; x++) filtered[target++] = rgb[source++]!;
    for (let x = BYTES_PER_PIXEL; x < stride; x++, source++) filtered[target++] = (rgb[source]! - rgb[source - BYTES_PER_PIXEL]!) & 0xff;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = BIT_DEPTH;
  header[9] = COLOR_TYPE_RGB;
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let kept = Buffer.alloc(0);

/**
 * `size` bytes for the filtered scanlines: one buffer reused by every call (deflateSync has read
 * it before the call returns), so encoding many images does not churn megabytes of memory each.
 */
function scanlineScratch(size: number): Buffer {
  if (size > KEPT_SCRATCH_BYTES) return Buffer.allocUnsafe(size);
  if (kept.length < size) kept = Buffer.allocUnsafe(size);
  return kept.subarray(0, size);
}

/** One chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** The width and height in a PNG's IHDR, or `undefined` when `bytes` do not start like a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 24 || !buffer.subarray(0, 8).equals(PNG_SIGNATURE) || buffer.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

/**
 * A strict PNG reader for tests: checks the signature, every chunk's CRC-32, the IHDR (8-bit
 * RGB or RGBA, not interlaced), inflates the IDAT data and undoes every scanline filter (None,
 * Sub, Up, Average, Paeth), so bytes that pass are a PNG any viewer opens. Answers the size and
 * the pixels; throws with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { crc32, inflateSync } from 'node:zlib';
import { PNG_SIGNATURE } from '../png.js';

export interface DecodedPng {
  width: number;
  height: number;
  /** Bytes per pixel: 3 (RGB) or 4 (RGBA). */
  channels: number;
  /** The unfiltered pixels, rows top to bottom. */
  pixels: Buffer;
}

/** Decodes `bytes` (a Buffer or the base64 text of one). */
export function decodePng(input: Uint8Array | string): DecodedPng {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'base64') : Buffer.from(input);
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'the PNG signature');
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    assert.equal(body.length, length, `the ${type} chunk is cut short`);
    assert.equal(bytes.readUInt32BE(offset + 8 + length), crc32(bytes.subarray(offset + 4, offset + 8 + length)), `the CRC of ${type}`);
    if (type === 'IHDR') header = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  assert.ok(header !== undefined && ended && data.length > 0, 'IHDR, IDAT and IEND are present');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  assert.equal(header[8], 8, 'bit depth 8');
  assert.ok(header[9] === 2 || header[9] === 6, 'RGB or RGBA');
  assert.equal(header[12], 0, 'not interlaced');
  const channels = header[9] === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(data));
  assert.equal(raw.length, (stride + 1) * height, 'the inflated data holds every scanline');
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    assert.ok(filter <= 4, `filter type ${filter} of row ${y}`);
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

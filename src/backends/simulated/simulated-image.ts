/**
 * The simulated model's pictures: Gemini's aspect ratios and the pixel size each gets, and a
 * deterministic picture drawn from a 32-bit seed (a grid of coloured blocks under a diagonal
 * gradient, with a light grain so its PNG is not trivially small: about 270 KiB at 1024x1024, 20 KiB at 256x256), encoded as a PNG.
 */
import { encodePng, KEPT_SCRATCH_BYTES } from './png.js';
import { createRandom } from './seeded-random.js';

/** The aspect ratios Gemini's image models take (`imageConfig.aspectRatio`), width:height. */
export const ASPECT_RATIOS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['1:1', [1, 1]], ['2:3', [2, 3]], ['3:2', [3, 2]], ['3:4', [3, 4]], ['4:3', [4, 3]],
  ['4:5', [4, 5]], ['5:4', [5, 4]], ['9:16', [9, 16]], ['16:9', [16, 9]], ['21:9', [21, 9]],
]);

/** The aspect ratio Gemini uses when a request names none (for a prompt without an input image). */
export const DEFAULT_ASPECT_RATIO = '1:1';
/** Pixels on the long side of a simulated image unless the route says otherwise: small and cheap. */
export const DEFAULT_IMAGE_SIZE = 256;
/** The range a route's `imageSize` may take. */
export const MIN_IMAGE_SIZE = 16;
export const MAX_IMAGE_SIZE = 4096;

/** Width and height for `aspectRatio` (a key of ASPECT_RATIOS) with `longSide` pixels on the long side. */
export function imageDimensions(aspectRatio: string, longSide: number): { width: number; height: number } {
  const ratio = ASPECT_RATIOS.get(aspectRatio);
  if (ratio === undefined) throw new RangeError(`unknown aspect ratio ${aspectRatio}`);
  const [across, down] = ratio;
  if (across >= down) return { width: longSide, height: Math.max(1, Math.round((longSide * down) / across)) };
  return { width: Math.max(1, Math.round((longSide * across) / down)), height: longSide };
}

/** Grain: 2 bits of noise per channel, constant over 4x4-pixel cells (fine grain costs deflate time). */
const GRAIN_MASK = 3;
const GRAIN_CELL_SHIFT = 2;

/** A `width` x `height` PNG drawn from `seed`: the same seed and size always give the same bytes. */
export function renderImage(seed: number, width: number, height: number): Buffer {
  const random = createRandom(seed);
  const palette = Array.from({ length: 6 }, () => [random.int(0, 200), random.int(0, 200), random.int(0, 200)] as const);
  const columns = random.int(3, 8);
  const rows = random.int(3, 8);
  const cellWidth = Math.ceil(width / columns);
  const cellHeight = Math.ceil(height / rows);
  const cells = Array.from({ length: columns * rows }, () => random.int(0, palette.length - 1));
  const grainSeed = random.int(1, 0x7fffffff);
  const rgb = pixelScratch(width * height * 3);
  let offset = 0;
  for (let y = 0; y < height; y++) {
    const rowCells = Math.min(rows - 1, Math.floor(y / cellHeight)) * columns;
    const down = (y * 48) / height;
    const grainRow = ((y >> GRAIN_CELL_SHIFT) * 0x85ebca6b) ^ grainSeed;
    for (let x = 0; x < width; x++) {
      const color = palette[cells[rowCells + Math.min(columns - 1, Math.floor(x / cellWidth))]!]!;
      const across = (x * 48) / width;
      const grain = (Math.imul(((x >> GRAIN_CELL_SHIFT) * 0x9e3779b1) ^ grainRow, 0x27d4eb2d) >>> 13) & GRAIN_MASK;
      rgb[offset++] = color[0] + across + grain;
      rgb[offset++] = color[1] + down + grain;
      rgb[offset++] = color[2] + (across + down) / 2 + grain;
    }
  }
  return encodePng(width, height, rgb);
}

let keptPixels = new Uint8Array(0);

/** `size` bytes for the pixels, reused by every call (drawing and encoding are synchronous), as png.ts does. */
function pixelScratch(size: number): Uint8Array {
  if (size > KEPT_SCRATCH_BYTES) return new Uint8Array(size);
  if (keptPixels.length < size) keptPixels = new Uint8Array(size);
  return keptPixels.subarray(0, size);
}

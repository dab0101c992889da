/**
 * The images in a batch's result lines (image models answer with `inlineData` parts): a strip
 * of thumbnails of the first ones among the lines shown, each captioned with its line's key, as
 * `data:` URLs (the page's CSP allows `img-src data:`); only PNG, JPEG, WebP and GIF are shown.
 * Also a line's image count for its summary, and the line with every image's base64 cut out,
 * so the JSON shown under a result is not megabytes of text.
 */
import { html } from '../html.js';

/** Thumbnails shown at most, whatever the number of lines shown. */
export const MAX_THUMBNAILS = 24;

const SHOWN_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

/** The images of one result line, candidate by candidate: `{ mimeType, data }` (base64). */
export function imagesOf(line) {
  const images = [];
  for (const candidate of line?.response?.candidates ?? []) {
    for (const part of candidate?.content?.parts ?? []) {
      const mimeType = String(part?.inlineData?.mimeType ?? '').toLowerCase();
      if (mimeType.startsWith('image/') && typeof part.inlineData.data === 'string') images.push({ mimeType, data: part.inlineData.data });
    }
  }
  return images;
}

/** A copy of `line` whose inline data reads `<N bytes of base64>` instead of the bytes. */
export function withoutImageData(line) {
  if (imagesOf(line).length === 0) return line;
  return JSON.parse(JSON.stringify(line, (key, value) => (
    key === 'data' && typeof value === 'string' && value.length > 64 ? `<${value.length} bytes of base64>` : value
  )));
}

/** The first MAX_THUMBNAILS images of `lines`, captioned with `keyOf(line)` (and a number when a line has several). */
export function ImageThumbnails({ lines, keyOf }) {
  const shown = [];
  let total = 0;
  for (const line of lines) {
    const images = imagesOf(line);
    total += images.length;
    images.forEach((image, index) => {
      if (shown.length < MAX_THUMBNAILS && SHOWN_TYPES.has(image.mimeType)) {
        shown.push({ ...image, caption: images.length > 1 ? `${keyOf(line)} #${index + 1}` : keyOf(line) });
      }
    });
  }
  if (total === 0) return null;
  return html`
    <div class="thumbnails" id="result-images">
      <p class="muted small">${shown.length < total ? `The first ${shown.length} of ${total} images in these lines` : `${total} image${total === 1 ? '' : 's'} in these lines`}</p>
      <div class="thumbnail-grid">
        ${shown.map((image) => html`
          <figure class="thumbnail">
            <img src=${`data:${image.mimeType};base64,${image.data}`} alt=${`image of ${image.caption}`} loading="lazy" />
            <figcaption class="mono small">${image.caption}</figcaption>
          </figure>`)}
      </div>
    </div>
  `;
}

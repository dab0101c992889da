/**
 * The simulated backend's image options (`imageModel`, `imageSize`) checked and turned into the
 * settings its answers use (simulate-image-content.ts).
 */
import { DEFAULT_IMAGE_SETTINGS, type ImageSettings } from './simulate-image-content.js';
import { MAX_IMAGE_SIZE, MIN_IMAGE_SIZE } from './simulated-image.js';

/** The settings for these options; throws RangeError for an `imageSize` out of range. */
export function imageSettingsOf(options: { imageModel?: boolean | undefined; imageSize?: number | undefined }): ImageSettings {
  const imageSize = options.imageSize ?? DEFAULT_IMAGE_SETTINGS.imageSize;
  if (!Number.isInteger(imageSize) || imageSize < MIN_IMAGE_SIZE || imageSize > MAX_IMAGE_SIZE) {
    throw new RangeError(`imageSize must be an integer from ${MIN_IMAGE_SIZE} to ${MAX_IMAGE_SIZE}, got ${imageSize}`);
  }
  return { imageModel: options.imageModel === true, imageSize };
}

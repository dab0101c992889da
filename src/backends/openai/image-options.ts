/**
 * The image settings of an OpenAI-compatible route (`backend.images` in the model config): which
 * upstream model draws, which sizes the server takes, whether `response_format` is sent. And the
 * size chosen for a Gemini aspect ratio: of the configured sizes, the one whose width:height is
 * nearest (compared as logarithms, so 2:1 and 1:2 are equally far from 1:1); on a tie the first
 * listed. The default sizes are OpenAI's gpt-image set; DALL-E 3 takes 1024x1024, 1792x1024 and
 * 1024x1792; LocalAI and stable-diffusion servers take any WxH.
 */

/** What a route's `images` setting may say (all optional). */
export interface OpenAIImageOptions {
  /** The upstream image model (default: the route's `model`, else the Gemini model name of the call). */
  model?: string;
  /** The `WxH` sizes the server accepts (default: 1024x1024, 1536x1024, 1024x1536). */
  sizes?: readonly string[];
  /**
   * Send `response_format: "b64_json"` (default true). OpenAI's gpt-image models always answer
   * base64 and refuse the field: set false for them.
   */
  sendResponseFormat?: boolean;
}

/** The settings with their defaults applied and the sizes parsed. */
export interface ImageRoute {
  model: string | undefined;
  sizes: readonly ParsedSize[];
  sendResponseFormat: boolean;
}

export interface ParsedSize {
  /** As the server spells it, e.g. `1536x1024`. */
  text: string;
  width: number;
  height: number;
}

export const DEFAULT_IMAGE_SIZES: readonly string[] = ['1024x1024', '1536x1024', '1024x1536'];

const SIZE_PATTERN = /^(\d{1,5})x(\d{1,5})$/;

/** Applies the defaults; throws RangeError for a size that is not `WxH` with positive numbers. */
export function imageRouteOf(options: OpenAIImageOptions, routeModel: string | undefined): ImageRoute {
  const sizes = (options.sizes ?? DEFAULT_IMAGE_SIZES).map((text) => {
    const match = SIZE_PATTERN.exec(text);
    const width = Number(match?.[1]);
    const height = Number(match?.[2]);
    if (match === null || width < 1 || height < 1) throw new RangeError(`images.sizes: ${JSON.stringify(text)} is not WIDTHxHEIGHT`);
    return { text, width, height };
  });
  if (sizes.length === 0) throw new RangeError('images.sizes must name at least one size');
  return { model: options.model ?? routeModel, sizes, sendResponseFormat: options.sendResponseFormat ?? true };
}

/** The size for the aspect ratio `across`:`down` (positive numbers) among `sizes`. */
export function nearestSize(across: number, down: number, sizes: readonly ParsedSize[]): ParsedSize {
  const wanted = Math.log(across / down);
  let best = sizes[0]!;
  let bestDistance = Infinity;
  for (const size of sizes) {
    const distance = Math.abs(Math.log(size.width / size.height) - wanted);
    if (distance < bestDistance - 1e-9) {
      best = size;
      bestDistance = distance;
    }
  }
  return best;
}

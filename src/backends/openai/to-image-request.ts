/**
 * A Gemini image request (`responseModalities` with IMAGE) → a call of OpenAI's images API:
 * `POST /images/generations` (JSON) when the prompt has no image, `POST /images/edits`
 * (multipart/form-data) when it has input images.
 *
 * - prompt: the text parts of the last turn not written by the model, newline-joined; the system
 *   instruction's text, if any, goes first, followed by a blank line (the images API has no
 *   system role). Earlier turns are not sent: the images API takes one prompt.
 * - input images: the image parts (`inlineData`, or `fileData` read through the call's file
 *   resolver) of that same turn, as `image` (one) or `image[]` (several), as OpenAI's SDK sends
 *   them. Any other media there fails the request.
 * - n: `candidateCount` (default 1); the answer has one candidate per image, as Gemini's
 *   candidateCount means.
 * - size: from `imageConfig.aspectRatio` (`W:H`), the configured size nearest in shape
 *   (image-options.ts); without one, no size is sent and the server picks its default.
 * - response_format: `b64_json` unless the route turns it off (gpt-image models).
 * - model: the route's image model, else its model, else the call's Gemini model name.
 * Ignored: sampling settings (temperature, topP, seed…), safetySettings, labels. Refused
 * (INVALID_ARGUMENT): cachedContent, tools, a prompt without text.
 */
import type { Content, GenerateContentRequest, GenerationConfig, Part } from '../../core/gemini-types.js';
import type { FormBody, FormFile } from './multipart-form.js';
import { nearestSize, type ImageRoute } from './image-options.js';
import { invalidRequest, unsupportedFeature } from './invalid-request.js';
import type { ResolvedFiles } from './resolve-file-parts.js';

/** A translated image request. */
export type ImageCall =
  | { kind: 'generations'; path: '/images/generations'; body: Record<string, unknown>; model: string }
  | { kind: 'edits'; path: '/images/edits'; form: FormBody; model: string };

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' };

/** Translates `request`; throws INVALID_ARGUMENT (a BackendError) for what cannot be sent. */
export function toImageRequest(request: GenerateContentRequest, route: ImageRoute, callModel: string, files: ResolvedFiles, serverLabel: string): ImageCall {
  if (request.cachedContent !== undefined) throw unsupportedFeature('cachedContent', serverLabel);
  if (request.tools !== undefined && request.tools.length > 0) throw unsupportedFeature('tools with an image request', serverLabel);
  const turn = lastPromptTurn(request.contents);
  const system = textOf(request.systemInstruction?.parts ?? []);
  const text = textOf(turn?.parts ?? []);
  if (text.trim() === '') throw invalidRequest(`an image request to the OpenAI-compatible backend (${serverLabel}) needs a text prompt in its last user turn`);
  const prompt = system.trim() === '' ? text : `${system}\n\n${text}`;
  const model = route.model ?? callModel;
  const config = request.generationConfig ?? {};
  const settings: [string, string | number][] = [['model', model], ['prompt', prompt], ['n', config.candidateCount ?? 1]];
  const size = sizeFor(config, route, serverLabel);
  if (size !== undefined) settings.push(['size', size]);
  if (route.sendResponseFormat) settings.push(['response_format', 'b64_json']);
  const images = inputImages(turn?.parts ?? [], files, serverLabel);
  if (images.length === 0) return { kind: 'generations', path: '/images/generations', body: Object.fromEntries(settings), model };
  const field = images.length === 1 ? 'image' : 'image[]';
  return {
    kind: 'edits',
    path: '/images/edits',
    form: { fields: settings.map(([name, value]) => [name, String(value)] as const), files: images.map((image) => ({ ...image, field })) },
    model,
  };
}

/** The last content not written by the model (the prompt's turn). */
function lastPromptTurn(contents: readonly Content[]): Content | undefined {
  for (let index = contents.length - 1; index >= 0; index--) {
    if (contents[index]?.role !== 'model') return contents[index];
  }
  return undefined;
}

function textOf(parts: readonly Part[]): string {
  return parts.filter((part) => typeof part.text === 'string' && part.thought !== true).map((part) => part.text).join('\n');
}

/** The size for the request's aspect ratio, or undefined when it names none. */
function sizeFor(config: GenerationConfig, route: ImageRoute, serverLabel: string): string | undefined {
  const imageConfig: unknown = config.imageConfig;
  if (typeof imageConfig !== 'object' || imageConfig === null) return undefined;
  const { aspectRatio, aspect_ratio: snake } = imageConfig as { aspectRatio?: unknown; aspect_ratio?: unknown };
  const ratio = aspectRatio ?? snake;
  if (ratio === undefined) return undefined;
  const [across, down, ...rest] = typeof ratio === 'string' ? ratio.split(':').map((side) => (side.trim() === '' ? NaN : Number(side))) : [];
  if (!(across! > 0 && down! > 0 && Number.isFinite(across) && Number.isFinite(down)) || rest.length > 0) {
    throw invalidRequest(`imageConfig.aspectRatio ${JSON.stringify(ratio)} is not W:H (e.g. 16:9) for the OpenAI-compatible backend (${serverLabel})`);
  }
  return nearestSize(across!, down!, route.sizes).text;
}

/** The image parts of the prompt's turn as files; other media are refused. */
function inputImages(parts: readonly Part[], files: ResolvedFiles, serverLabel: string): Omit<FormFile, 'field'>[] {
  const images: Omit<FormFile, 'field'>[] = [];
  parts.forEach((part, index) => {
    let mimeType: string | undefined;
    let data: Buffer | undefined;
    if (part.inlineData !== undefined) {
      mimeType = part.inlineData.mimeType;
      data = Buffer.from(part.inlineData.data ?? '', 'base64');
    } else if (part.fileData !== undefined) {
      const file = files.get(part.fileData.fileUri ?? '');
      mimeType = part.fileData.mimeType ?? file?.mimeType;
      data = file?.data;
    } else {
      return;
    }
    const type = (mimeType ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
    if (!type.startsWith('image/') || data === undefined) {
      throw invalidRequest(`part ${index} of the prompt: ${mimeType || 'media without a mimeType'} cannot be sent to an image route of the OpenAI-compatible backend (${serverLabel}); only images can`);
    }
    images.push({ fileName: `image-${images.length + 1}.${EXTENSIONS[type] ?? 'bin'}`, mimeType: type, data });
  });
  return images;
}

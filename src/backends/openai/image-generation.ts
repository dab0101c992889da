/**
 * Image requests on an OpenAI-compatible route. A request is an image request when its
 * `generationConfig.responseModalities` include IMAGE, or name none on a route whose model is
 * marked as an image model (Gemini's image models draw by default). A route with images enabled
 * sends them to the images API (to-image-request.ts → the route's HttpClient → from-image-response.ts);
 * a chat-only route refuses each with INVALID_ARGUMENT, saying how to enable images.
 */
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import type { BackendError, CallOptions } from '../backend.js';
import { throwIfCancelled } from '../cancelled-error.js';
import { fromImageResponse } from './from-image-response.js';
import type { HttpClient } from './http-client.js';
import { imageRouteOf, type OpenAIImageOptions } from './image-options.js';
import { invalidRequest } from './invalid-request.js';
import { hasFileParts, NO_FILES, resolveFileParts, type ResolveFile } from './resolve-file-parts.js';
import { toImageRequest } from './to-image-request.js';

/** The upper-cased response modalities of `request`, or undefined when it names none. */
function modalitiesOf(request: GenerateContentRequest): string[] | undefined {
  const modalities: unknown = request.generationConfig?.responseModalities;
  return Array.isArray(modalities) && modalities.length > 0 ? modalities.map((modality) => String(modality).toUpperCase()) : undefined;
}

/** Whether `request` asks for an image (see above); `imageModel`: the route's model draws by default. */
export function isImageRequest(request: GenerateContentRequest, imageModel: boolean): boolean {
  const modalities = modalitiesOf(request);
  return modalities === undefined ? imageModel : modalities.includes('IMAGE');
}

/** The refusal of an image request on a chat-only route. */
export function chatRouteRefusal(serverLabel: string): BackendError {
  return invalidRequest(
    `generationConfig.responseModalities "IMAGE" cannot be answered by this route to ${serverLabel}: it is a chat-only OpenAI-compatible route ` +
      '(/chat/completions answers text). To send image requests to its /images/generations and /images/edits, set "images": true ' +
      '(or {"model": …, "sizes": […]}) on the route\'s backend in the model config, or mark the model "image": true.',
  );
}

/** A route's handling of image requests. */
export interface ImageRequests {
  /** Whether `request` is an image request (see above). */
  matches(request: GenerateContentRequest): boolean;
  /** Answers an image request through the images API, or refuses it on a chat-only route. */
  generate(request: GenerateContentRequest, callOptions: CallOptions): Promise<GenerateContentResponse>;
}

/** What the backend's options say about images, and the route's HTTP client. */
export interface ImageRequestsOptions {
  /** The route's client: image calls share its connections, headers, timeouts and error mapping. */
  http: HttpClient;
  /** Names the server in error messages. */
  serverLabel: string;
  /** The route's image settings; undefined: a chat-only route. */
  images?: OpenAIImageOptions | undefined;
  /** The route's model draws by default. */
  imageModel?: boolean | undefined;
  /** The route's upstream model (`backend.model`), the image model's fallback. */
  model?: string | undefined;
  /** The resolver given at construction; a call's own wins. */
  resolveFile?: ResolveFile | undefined;
}

/** Creates a route's image handling; throws RangeError for bad image sizes. */
export function createImageRequests(options: ImageRequestsOptions): ImageRequests {
  const { serverLabel } = options;
  const imageModel = options.imageModel === true;
  const matches = (request: GenerateContentRequest): boolean => isImageRequest(request, imageModel);
  if (options.images === undefined) {
    return { matches, generate: () => Promise.reject(chatRouteRefusal(serverLabel)) };
  }
  const route = imageRouteOf(options.images, options.model);
  const { http } = options;
  return {
    matches,
    async generate(request, callOptions) {
      throwIfCancelled(callOptions.signal);
      const files = hasFileParts(request)
        ? await resolveFileParts(request, callOptions.resolveFile ?? options.resolveFile, callOptions.signal, serverLabel)
        : NO_FILES;
      const call = toImageRequest(request, route, callOptions.model, files, serverLabel);
      const answer = call.kind === 'generations'
        ? await http.postJson(call.path, call.body, callOptions.signal)
        : await http.postForm(call.path, call.form, callOptions.signal);
      const modalities = modalitiesOf(request);
      return fromImageResponse(answer, call.model, modalities === undefined || modalities.includes('TEXT'), serverLabel);
    },
  };
}

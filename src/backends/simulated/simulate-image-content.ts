/**
 * The simulated model's image answers, as Gemini's image models (Nano Banana) give them: for a
 * request whose `generationConfig.responseModalities` include `IMAGE` (or name none, the image
 * models' default), each candidate holds an optional short text part and one PNG as an
 * `inlineData` part, at the requested `imageConfig.aspectRatio` (1:1 by default) with the
 * route's `imageSize` pixels on the long side. Deterministic: the same request and model give
 * the same bytes. Usage counts 1290 output tokens per image, as Gemini reports them, in
 * `candidatesTokensDetails` by modality. A text-only model asked for an image fails the call
 * with INVALID_ARGUMENT, as Gemini does.
 */
import type { Candidate, GenerateContentRequest, GenerateContentResponse, GenerationConfig, UsageMetadata } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';
import { hashString, mixSeed } from './hash.js';
import { estimatePromptTokens } from './prompt-tokens.js';
import { quoteFragment } from './reply-context.js';
import type { RequestIdentity } from './request-identity.js';
import { lastUserText } from './request-text.js';
import { createRandom, type Random } from './seeded-random.js';
import { ASPECT_RATIOS, DEFAULT_ASPECT_RATIO, DEFAULT_IMAGE_SIZE, imageDimensions, renderImage } from './simulated-image.js';
import { isImageModel, isThinkingModel } from './simulated-models.js';
import { estimateTokens } from './token-estimate.js';

/** Output tokens Gemini counts for one generated image (up to 1024x1024). */
export const IMAGE_OUTPUT_TOKENS = 1290;

/** How a simulated route treats images. */
export interface ImageSettings {
  /** Every model of the route generates images (a route marked `image: true`), whatever its name. */
  imageModel: boolean;
  /** Pixels on the long side of each image. */
  imageSize: number;
}

/** What an image answer needs to know, read from the request. */
export interface ImagePlan {
  width: number;
  height: number;
  /** Whether a short text part comes before each image (TEXT among the modalities, or none named). */
  withText: boolean;
}

export const DEFAULT_IMAGE_SETTINGS: ImageSettings = Object.freeze({ imageModel: false, imageSize: DEFAULT_IMAGE_SIZE });

const THOUGHTS_SALT = 0x7407;
const IMAGE_SALT = 0x1a6e;
const LEADS = ['Here is', 'Here you go:', 'I made', 'This is'] as const;

/**
 * The image plan of `request` for `model`, or `undefined` when the answer is text (a text model
 * not asked for images, or an image model asked for TEXT only). Throws INVALID_ARGUMENT for
 * IMAGE asked of a text-only model, or an aspect ratio Gemini does not offer.
 */
export function planImage(request: GenerateContentRequest, model: string, settings: ImageSettings): ImagePlan | undefined {
  const config = request.generationConfig;
  const modalities = requestedModalities(config);
  const imageCapable = settings.imageModel || isImageModel(model);
  if (!imageCapable) {
    if (modalities?.includes('IMAGE') === true) {
      throw invalidArgument(`Model ${model} does not support the requested response modalities: image. Ask an image model (gemini-2.5-flash-image, gemini-3-pro-image-preview) or a route marked "image": true.`);
    }
    return undefined;
  }
  if (modalities !== undefined && !modalities.includes('IMAGE')) return undefined;
  const aspectRatio = aspectRatioOf(config) ?? DEFAULT_ASPECT_RATIO;
  if (!ASPECT_RATIOS.has(aspectRatio)) {
    throw invalidArgument(`imageConfig.aspectRatio ${JSON.stringify(aspectRatio)} is not supported; use one of ${[...ASPECT_RATIOS.keys()].join(', ')}`);
  }
  return { ...imageDimensions(aspectRatio, settings.imageSize), withText: modalities === undefined || modalities.includes('TEXT') };
}

/** The upper-cased `responseModalities`, or `undefined` when the request names none. */
export function requestedModalities(config: GenerationConfig | undefined): string[] | undefined {
  const modalities: unknown = config?.responseModalities;
  if (!Array.isArray(modalities) || modalities.length === 0) return undefined;
  return modalities.map((modality) => String(modality).toUpperCase());
}

/** `imageConfig.aspectRatio` (free-form on the wire, so its snake_case spelling is read too). */
function aspectRatioOf(config: GenerationConfig | undefined): string | undefined {
  const imageConfig: unknown = config?.imageConfig;
  if (typeof imageConfig !== 'object' || imageConfig === null) return undefined;
  const { aspectRatio, aspect_ratio: snake } = imageConfig as { aspectRatio?: unknown; aspect_ratio?: unknown };
  const value = aspectRatio ?? snake;
  return typeof value === 'string' ? value.trim() : undefined;
}

/** The answer to a (validated) request with `plan`: candidates, usage and model version (the caller adds the id). */
export function simulateImageContent(request: GenerateContentRequest, model: string, identity: RequestIdentity, plan: ImagePlan): GenerateContentResponse {
  const seed = mixSeed(identity.contentHash, hashString(model));
  const count = request.generationConfig?.candidateCount ?? 1;
  const fragment = quoteFragment(lastUserText(request.contents));
  const candidates: Candidate[] = [];
  let textTokens = 0;
  for (let index = 0; index < count; index++) {
    const random = createRandom(mixSeed(seed, index));
    const parts: { text?: string; inlineData?: { mimeType: string; data: string } }[] = [];
    if (plan.withText) {
      const text = caption(random, fragment);
      textTokens += estimateTokens(text);
      parts.push({ text });
    }
    const png = renderImage(mixSeed(seed, IMAGE_SALT + index), plan.width, plan.height);
    parts.push({ inlineData: { mimeType: 'image/png', data: png.toString('base64') } });
    candidates.push({ content: { role: 'model', parts }, finishReason: 'STOP', index });
  }
  const thinks = isThinkingModel(model) && request.generationConfig?.thinkingConfig?.thinkingBudget !== 0;
  const thoughtsTokenCount = thinks ? 8 + (mixSeed(seed, THOUGHTS_SALT) % 57) : 0;
  return { candidates, usageMetadata: imageUsage(request, textTokens, count * IMAGE_OUTPUT_TOKENS, thoughtsTokenCount), modelVersion: model };
}

/** A short line before the image, quoting the prompt. */
function caption(random: Random, fragment: string): string {
  const lead = random.pick(LEADS);
  return fragment === '' ? `${lead} the image you asked for.` : `${lead} an image of "${fragment}".`;
}

/** Usage as Gemini reports it for images; zero counts are left out, as proto3 JSON does. */
function imageUsage(request: GenerateContentRequest, textTokens: number, imageTokens: number, thoughtsTokenCount: number): UsageMetadata {
  const prompt = estimatePromptTokens(request);
  const candidatesTokenCount = textTokens + imageTokens;
  const usage: UsageMetadata = {};
  if (prompt.total > 0) usage.promptTokenCount = prompt.total;
  usage.candidatesTokenCount = candidatesTokenCount;
  usage.totalTokenCount = prompt.total + candidatesTokenCount + thoughtsTokenCount;
  const promptDetails: { modality: string; tokenCount: number }[] = [];
  if (prompt.textTokens > 0) promptDetails.push({ modality: 'TEXT', tokenCount: prompt.textTokens });
  if (prompt.mediaTokens > 0) promptDetails.push({ modality: 'IMAGE', tokenCount: prompt.mediaTokens });
  if (promptDetails.length > 0) usage.promptTokensDetails = promptDetails;
  const candidateDetails: { modality: string; tokenCount: number }[] = [];
  if (textTokens > 0) candidateDetails.push({ modality: 'TEXT', tokenCount: textTokens });
  candidateDetails.push({ modality: 'IMAGE', tokenCount: imageTokens });
  usage.candidatesTokensDetails = candidateDetails;
  if (thoughtsTokenCount > 0) usage.thoughtsTokenCount = thoughtsTokenCount;
  return usage;
}

function invalidArgument(message: string): BackendError {
  return new BackendError(message, { status: 'INVALID_ARGUMENT', retryable: false, httpStatus: 400 });
}

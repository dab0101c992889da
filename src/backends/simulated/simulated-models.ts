/**
 * The models the simulated backend serves with no configuration, as Gemini `Model` resources
 * (what `models.list` / `models.get` answer). Limits mirror the real models' published ones;
 * `thinking` is set only where true, as proto3 JSON omits false.
 */

import { EMBEDDING_METHODS, GENERATION_METHODS, isImageModelName, type ModelInfo } from '../model-info.js';

/** What every simulated model names about itself. */
interface ModelFields {
  version: string;
  displayName: string;
  description: string;
}

/** The fields of the `Model` resource for `id` that every simulated model shares. */
function modelBase(id: string, fields: ModelFields): Pick<ModelInfo, 'name' | 'baseModelId' | 'version' | 'displayName' | 'description'> {
  return { name: `models/${id}`, baseModelId: id, version: fields.version, displayName: fields.displayName, description: `${fields.description} (simulated by batchmode)` };
}

function generationModel(id: string, fields: ModelFields & { outputTokenLimit: number; thinking: boolean }): ModelInfo {
  return Object.freeze({
    ...modelBase(id, fields),
    inputTokenLimit: 1_048_576,
    outputTokenLimit: fields.outputTokenLimit,
    supportedGenerationMethods: [...GENERATION_METHODS],
    temperature: 1,
    maxTemperature: 2,
    topP: 0.95,
    topK: 64,
    ...(fields.thinking ? { thinking: true } : {}),
  });
}

/** An image model (Nano Banana): smaller context windows, no context caching. */
function imageModel(id: string, fields: ModelFields & { inputTokenLimit: number; thinking: boolean }): ModelInfo {
  return Object.freeze({
    ...generationModel(id, { ...fields, outputTokenLimit: 32_768 }),
    inputTokenLimit: fields.inputTokenLimit,
    supportedGenerationMethods: GENERATION_METHODS.filter((method) => method !== 'createCachedContent'),
  });
}

function embeddingModel(id: string, fields: ModelFields): ModelInfo {
  return Object.freeze({ ...modelBase(id, fields), inputTokenLimit: 2048, outputTokenLimit: 1, supportedGenerationMethods: [...EMBEDDING_METHODS] });
}

/** The built-in catalogue, generation models first. */
export const SIMULATED_MODELS: readonly ModelInfo[] = Object.freeze([
  generationModel('gemini-2.5-flash', {
    version: '001',
    displayName: 'Gemini 2.5 Flash',
    description: 'Fast, cost-efficient thinking model for high-volume tasks',
    outputTokenLimit: 65_536,
    thinking: true,
  }),
  generationModel('gemini-2.5-pro', {
    version: '2.5',
    displayName: 'Gemini 2.5 Pro',
    description: 'Thinking model for complex reasoning, coding and long context',
    outputTokenLimit: 65_536,
    thinking: true,
  }),
  generationModel('gemini-2.5-flash-lite', {
    version: '001',
    displayName: 'Gemini 2.5 Flash-Lite',
    description: 'Smallest, most cost-efficient 2.5 model for throughput-heavy work',
    outputTokenLimit: 65_536,
    thinking: true,
  }),
  generationModel('gemini-3-flash-preview', {
    version: '3-flash-preview',
    displayName: 'Gemini 3 Flash Preview',
    description: 'Preview of the Gemini 3 Flash model',
    outputTokenLimit: 65_536,
    thinking: true,
  }),
  generationModel('gemini-3-pro-preview', {
    version: '3-pro-preview',
    displayName: 'Gemini 3 Pro Preview',
    description: 'Preview of the Gemini 3 Pro model',
    outputTokenLimit: 65_536,
    thinking: true,
  }),
  generationModel('gemini-2.0-flash', {
    version: '2.0',
    displayName: 'Gemini 2.0 Flash',
    description: 'Fast multimodal model of the 2.0 generation',
    outputTokenLimit: 8192,
    thinking: false,
  }),
  imageModel('gemini-2.5-flash-image', {
    version: '2.5',
    displayName: 'Nano Banana (Gemini 2.5 Flash Image)',
    description: 'Image generation and editing: answers responseModalities IMAGE with PNG images',
    inputTokenLimit: 32_768,
    thinking: false,
  }),
  imageModel('gemini-3-pro-image-preview', {
    version: '3.0',
    displayName: 'Nano Banana Pro (Gemini 3 Pro Image Preview)',
    description: 'Image generation and editing with thinking: answers responseModalities IMAGE with PNG images',
    inputTokenLimit: 65_536,
    thinking: true,
  }),
  embeddingModel('gemini-embedding-001', {
    version: '001',
    displayName: 'Gemini Embedding 001',
    description: 'Text embeddings of up to 3072 dimensions (Matryoshka: shorter vectors are prefixes)',
  }),
  embeddingModel('text-embedding-004', {
    version: '004',
    displayName: 'Text Embedding 004',
    description: 'Text embeddings of 768 dimensions',
  }),
]);

const MODELS_BY_ID: ReadonlyMap<string, ModelInfo> = new Map(SIMULATED_MODELS.map((model) => [model.baseModelId ?? model.name, model]));

/**
 * Whether a model reports thinking tokens: a catalogue model by its `thinking` flag, any other
 * name when it looks like a 2.5 or 3.x model (`2.5` or a standalone `3` in the name).
 */
export function isThinkingModel(model: string): boolean {
  const known = MODELS_BY_ID.get(model);
  if (known !== undefined) return known.thinking === true;
  return /2\.5|(?:^|[^0-9.])3(?:[^0-9]|$)/.test(model);
}

/** The catalogue's image models. */
const IMAGE_MODELS: ReadonlySet<string> = new Set(['gemini-2.5-flash-image', 'gemini-3-pro-image-preview']);

/**
 * Whether a model generates images (answers `responseModalities: ["IMAGE"]`): a catalogue image
 * model, or any other name that looks like one (`…-image`, `…-image-preview`, `…-image-generation`).
 */
export function isImageModel(model: string): boolean {
  return IMAGE_MODELS.has(model) || (!MODELS_BY_ID.has(model) && isImageModelName(model));
}

/** The Gemini `Model` resource (models.list / models.get), as batchmode describes what it serves. */
export interface ModelInfo {
  /** `models/<id>` */
  name: string;
  baseModelId?: string;
  version?: string;
  displayName?: string;
  description?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods: string[];
  temperature?: number;
  maxTemperature?: number;
  topP?: number;
  topK?: number;
  thinking?: boolean;
}

export const GENERATION_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens', 'batchGenerateContent', 'createCachedContent'];
export const EMBEDDING_METHODS = ['embedContent', 'batchEmbedContents', 'asyncBatchEmbedContent', 'countTokens'];

/** Whether a model id names an embedding model (by Gemini's naming). */
export const isEmbeddingModelName = (id: string): boolean => /embed/i.test(id);

/**
 * Whether a model id names a model that generates images by Gemini's naming: `image` as a word of
 * the id (`gemini-2.5-flash-image`, `gemini-3-pro-image-preview`,
 * `gemini-2.0-flash-preview-image-generation`), not Imagen (a different API).
 */
export const isImageModelName = (id: string): boolean => /(?:^|[-_.])image(?:$|[-_.])/i.test(id);

/** A plausible Model resource for a name that is served but not described (e.g. matched by a glob). */
export function describeModel(id: string): ModelInfo {
  const embedding = isEmbeddingModelName(id);
  return {
    name: `models/${id}`,
    baseModelId: id,
    version: '001',
    displayName: id,
    description: `${id}, served by batchmode`,
    inputTokenLimit: embedding ? 2048 : 1_048_576,
    outputTokenLimit: embedding ? 1 : 65_536,
    supportedGenerationMethods: embedding ? EMBEDDING_METHODS : GENERATION_METHODS,
  };
}

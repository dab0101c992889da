/**
 * Deterministic embeddings: a unit vector drawn from a PRNG seeded once by a hash of the text,
 * title and task type. Shorter dimensions are prefixes of longer ones before normalising, as with
 * Gemini's Matryoshka embeddings, so truncated vectors stay comparable.
 */
import { BackendError } from '../backend.js';
import type { EmbedContentRequest, EmbedContentResponse } from '../../core/gemini-types.js';
import { hashString, mixSeed } from './hash.js';
import { partsText } from './request-text.js';
import { createRandom } from './seeded-random.js';

/** The largest `outputDimensionality` accepted (gemini-embedding-001's native size). */
export const MAX_EMBEDDING_DIMENSION = 3072;

/** The vector size a model answers with when the request does not set `outputDimensionality`. */
export function defaultEmbeddingDimension(model: string): number {
  return model.startsWith('gemini-embedding') ? MAX_EMBEDDING_DIMENSION : 768;
}

/** The embedding for `request` under `model`; throws INVALID_ARGUMENT for a bad dimension or no content. */
export function simulateEmbedding(request: EmbedContentRequest, model: string): EmbedContentResponse {
  const requested = request.outputDimensionality;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1 || requested > MAX_EMBEDDING_DIMENSION)) {
    throw new BackendError(`outputDimensionality must be an integer from 1 to ${MAX_EMBEDDING_DIMENSION}, got ${String(requested)}`, {
      status: 'INVALID_ARGUMENT',
      retryable: false,
      httpStatus: 400,
    });
  }
  const parts = request.content?.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new BackendError('content must not be empty', { status: 'INVALID_ARGUMENT', retryable: false, httpStatus: 400 });
  }
  const dimension = requested ?? defaultEmbeddingDimension(model);
  const key = `${request.taskType ?? ''}\u0000${request.title ?? ''}\u0000${partsText(parts)}`;
  const random = createRandom(mixSeed(hashString(key), 0x5eed));
  const values = new Array<number>(dimension);
  let sumOfSquares = 0;
  for (let index = 0; index < dimension; index++) {
    const value = random.next() * 2 - 1;
    values[index] = value;
    sumOfSquares += value * value;
  }
  const scale = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 1;
  // Nine decimals: float32 precision, and much shorter result lines than full doubles.
  for (let index = 0; index < dimension; index++) values[index] = Math.round((values[index] as number) * scale * 1e9) / 1e9;
  return { embedding: { values } };
}

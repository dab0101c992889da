/**
 * A `POST /embeddings` body → one Gemini EmbedContentRequest per input
 * (`content: {parts: [{text}]}`, `dimensions` → outputDimensionality), with the model (a
 * `models/` prefix removed) and the encoding the answer must use. `input` is a string or an
 * array of 1 to 2,048 strings (OpenAI's limit); token arrays (arrays of integers) are refused:
 * Gemini embeds text, and OpenAI's token ids mean nothing to it. Empty strings are refused, as
 * OpenAI refuses them. `user` is ignored.
 */
import type { EmbedContentRequest } from '../core/gemini-types.js';
import { modelOf } from './model-param.js';
import { invalidType, invalidValue, missingParameter, OpenAIInputError, paramPath } from './openai-input-error.js';
import { isRecord, optionalEnum, optionalInteger } from './read-fields.js';

/** OpenAI's most inputs in one embeddings request. */
export const MAX_EMBEDDING_INPUTS = 2048;

/** A translated embeddings request. */
export interface TranslatedEmbeddingsRequest {
  /** The model id without `models/`. */
  model: string;
  /** One request per input, in order. */
  requests: EmbedContentRequest[];
  encodingFormat: 'float' | 'base64';
}

/** Translates an embeddings body. Throws OpenAIInputError. */
export function embeddingsRequestToGemini(body: unknown): TranslatedEmbeddingsRequest {
  if (!isRecord(body)) throw new OpenAIInputError('The request body must be a JSON object.', { code: 'invalid_type' });
  const model = modelOf(body.model, 'model');
  const inputs = inputsOf(body.input, 'input');
  const dimensions = optionalInteger(body.dimensions, 'dimensions', { min: 1 });
  const encodingFormat = optionalEnum(body.encoding_format, 'encoding_format', ['float', 'base64'] as const) ?? 'float';
  const requests = inputs.map((text): EmbedContentRequest => ({
    content: { parts: [{ text }] },
    ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }),
  }));
  return { model, requests, encodingFormat };
}

/** The texts of `input` (required). */
export function inputsOf(input: unknown, param: string): string[] {
  if (input === undefined || input === null) throw missingParameter(param);
  if (typeof input === 'string') return [nonEmpty(input, param)];
  if (!Array.isArray(input)) throw invalidType(param, 'a string or an array of strings', input);
  if (input.length === 0) throw invalidValue(param, 'expected a non-empty array of strings.', 'empty_array');
  if (input.length > MAX_EMBEDDING_INPUTS) throw invalidValue(param, `expected at most ${MAX_EMBEDDING_INPUTS} inputs, but got ${input.length}.`);
  if (input.every((item) => typeof item === 'number') || input.every((item) => Array.isArray(item))) {
    throw invalidValue(param, 'token arrays are not supported: Gemini models embed text, so send the input as a string or an array of strings.', 'unsupported_value');
  }
  return input.map((item, index) => {
    const where = paramPath(param, index);
    if (typeof item !== 'string') throw invalidType(where, 'a string', item);
    return nonEmpty(item, where);
  });
}

function nonEmpty(text: string, param: string): string {
  if (text === '') throw invalidValue(param, 'expected a non-empty string, but got an empty string instead.', 'empty_string');
  return text;
}

/**
 * A Gemini EmbedContentRequest → the body of `POST /embeddings`: the text parts joined with a
 * newline as one `input`, `dimensions` = outputDimensionality, floats. OpenAI has no task types:
 * `taskType` is ignored. A `title` (Gemini uses it for RETRIEVAL_DOCUMENT) is put before the
 * text, separated by a blank line, so documents embed with their titles as they do on Gemini
 * rather than silently without. Non-text parts cannot be embedded here: INVALID_ARGUMENT.
 */
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
import type { EmbedContentRequest } from '../../core/gemini-types.js';
import { invalidRequest } from './invalid-request.js';

/** The embeddings request body for `request`, sent for upstream model `model`. */
export function toEmbeddingRequest(request: EmbedContentRequest, model: string, serverLabel: string): EmbeddingCreateParams {
  const texts: string[] = [];
  (request.content?.parts ?? []).forEach((part, index) => {
    if (typeof part.text === 'string') texts.push(part.text);
    else throw invalidRequest(`content.parts[${index}]: only text can be embedded by the OpenAI-compatible backend (${serverLabel})`);
  });
  const text = texts.join('\n');
  const body: EmbeddingCreateParams = { model, input: request.title ? `${request.title}\n\n${text}` : text, encoding_format: 'float' };
  if (request.outputDimensionality !== undefined) body.dimensions = request.outputDimensionality;
  return body;
}

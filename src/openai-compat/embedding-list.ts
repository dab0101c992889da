/**
 * Gemini embeddings → OpenAI's embeddings answer
 * `{object: 'list', data: [{object: 'embedding', index, embedding}], model, usage}`. An embedding
 * is a list of floats, or with `encoding_format: 'base64'` (what the openai JS SDK asks for by
 * default, and decodes) the base64 of its values as little-endian float32 bytes. Gemini reports
 * no token counts for embeddings: the caller passes the prompt tokens (counted or estimated).
 */
import type { EmbedContentResponse } from '../core/gemini-types.js';

/** The embeddings list for `responses`, in input order. */
export function geminiToEmbeddingList(
  responses: EmbedContentResponse[],
  context: { model: string; encodingFormat: 'float' | 'base64'; promptTokens: number },
): Record<string, unknown> {
  return {
    object: 'list',
    data: responses.map((response, index) => {
      const values = Array.isArray(response.embedding?.values) ? response.embedding.values : [];
      return { object: 'embedding', index, embedding: context.encodingFormat === 'base64' ? float32Base64(values) : values };
    }),
    model: context.model,
    usage: { prompt_tokens: context.promptTokens, total_tokens: context.promptTokens },
  };
}

/** `values` as little-endian float32 bytes, base64. */
export function float32Base64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

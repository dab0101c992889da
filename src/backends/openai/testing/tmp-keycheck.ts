import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
type KeyList<T> = { readonly [K in keyof Required<T>]: true };
export const a: KeyList<EmbeddingCreateParams> = { input: true, model: true, dimensions: true, encoding_format: true, user: true, bogus: true };
export const b: KeyList<EmbeddingCreateParams> = { input: true, model: true, dimensions: true, encoding_format: true };

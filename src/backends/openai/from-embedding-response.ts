/**
 * An embeddings answer → Gemini `{embedding:{values}}`. The vector is read as a float list, or
 * decoded when a server sends base64 float32 anyway. Servers that ignore `dimensions` (Ollama,
 * llama.cpp) return the full vector: it is cut to outputDimensionality, which is what Gemini's
 * Matryoshka-trained models do too.
 */
import type { EmbedContentResponse } from '../../core/gemini-types.js';
import { isRecord } from './is-record.js';
import { unexpectedBody } from './unexpected-body.js';

/** The Gemini embedding in `value` (the parsed body), cut to `dimensions` when given. */
export function fromEmbeddingResponse(value: unknown, dimensions: number | undefined, serverLabel: string): EmbedContentResponse {
  if (!isRecord(value) || !Array.isArray(value.data)) return unexpectedBody(serverLabel, 'data is not a list');
  const first: unknown = value.data[0];
  if (!isRecord(first)) return unexpectedBody(serverLabel, 'data holds no embedding');
  const vector = first.embedding;
  let values: number[];
  if (typeof vector === 'string') values = Array.from(decodeFloat32(vector));
  else if (Array.isArray(vector) && vector.every((item) => typeof item === 'number')) values = vector;
  else return unexpectedBody(serverLabel, 'data[0].embedding is not a list of numbers');
  if (dimensions !== undefined && dimensions > 0 && values.length > dimensions) values = values.slice(0, dimensions);
  return { embedding: { values } };
}

function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new Uint8Array(bytes.length - (bytes.length % 4));
  copy.set(bytes.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}

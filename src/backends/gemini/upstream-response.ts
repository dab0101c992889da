/**
 * Checks on what upstream answered with 2xx (validate at the edge): just enough shape that the
 * rest of batchmode can trust the types, leaving every field it does not check untouched.
 */
import type { EmbedContentResponse, GenerateContentResponse } from '../../core/gemini-types.js';
import { malformedResponseError, type Redact } from './upstream-error.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 200) ?? String(value);
}

/**
 * A GenerateContentResponse, as upstream sent it except for `candidates[].continuationToken`,
 * which is dropped: the JS SDK re-issues a request carrying the token while one is present (and
 * `finishReason` is absent or CONTINUATION), but batchmode does not implement continuation, so
 * passing the token on would send SDK clients into requests batchmode cannot serve. Mutates and
 * returns the freshly parsed `value`.
 */
export function toGenerateContentResponse(value: unknown, redact: Redact): GenerateContentResponse {
  if (!isObject(value)) throw malformedResponseError('generateContent', describe(value), redact);
  const candidates = value.candidates;
  if (candidates !== undefined) {
    if (!Array.isArray(candidates)) throw malformedResponseError('generateContent', `candidates is ${describe(candidates)}`, redact);
    for (const candidate of candidates as unknown[]) {
      if (isObject(candidate)) delete candidate.continuationToken;
    }
  }
  return value;
}

/** An EmbedContentResponse; proto3 omits an empty `values` list, so a missing one reads as []. */
export function toEmbedContentResponse(value: unknown, redact: Redact): EmbedContentResponse {
  const embedding = isObject(value) ? value.embedding : undefined;
  if (!isObject(value) || !isObject(embedding)) throw malformedResponseError('embedContent', describe(value), redact);
  const values = embedding.values ?? [];
  if (!Array.isArray(values) || !values.every((item) => typeof item === 'number')) {
    throw malformedResponseError('embedContent', `embedding.values is ${describe(values)}`, redact);
  }
  return { ...value, embedding: { ...embedding, values } };
}

/** `totalTokens` of a CountTokensResponse; proto3 omits a zero count, so a missing one reads as 0. */
export function toTotalTokens(value: unknown, redact: Redact): number {
  if (!isObject(value)) throw malformedResponseError('countTokens', describe(value), redact);
  const total = value.totalTokens ?? 0;
  // int32 arrives as a number; accept a numeric string too, as proto3 JSON parsers do.
  const count = typeof total === 'string' && /^\d+$/.test(total) ? Number(total) : total;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw malformedResponseError('countTokens', `totalTokens is ${describe(total)}`, redact);
  }
  return count;
}

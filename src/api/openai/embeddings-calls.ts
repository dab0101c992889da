/**
 * The embedContent calls of one OpenAI embeddings request: one per input, at most
 * `concurrency` at once, results in input order. The first failure fails the whole request and
 * aborts the calls still running (no input is answered twice or left out).
 */
import type { EmbedContentRequest, EmbedContentResponse } from '../../core/gemini-types.js';

/** Inputs embedded at once by one request. */
export const EMBEDDING_CONCURRENCY = 8;

export type EmbedOne = (request: EmbedContentRequest, signal: AbortSignal) => Promise<EmbedContentResponse>;

export async function embedEach(
  requests: readonly EmbedContentRequest[],
  embed: EmbedOne,
  signal: AbortSignal,
  concurrency: number = EMBEDDING_CONCURRENCY,
): Promise<EmbedContentResponse[]> {
  const results = new Array<EmbedContentResponse>(requests.length);
  const failed = new AbortController();
  const linked = AbortSignal.any([signal, failed.signal]);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length && !failed.signal.aborted) {
      const index = next++;
      results[index] = await embed(requests[index] as EmbedContentRequest, linked);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  } catch (error) {
    failed.abort(error);
    throw error;
  }
  return results;
}

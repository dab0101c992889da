/**
 * The OpenAI endpoints a batch (and a batch input line's `url`) may name. A line's `url` may also
 * be spelled on Google's root (`/v1beta/openai/chat/completions`), the same resource there.
 */

export type OpenAIEndpoint = '/v1/chat/completions' | '/v1/embeddings';

export const OPENAI_ENDPOINTS: readonly OpenAIEndpoint[] = ['/v1/chat/completions', '/v1/embeddings'];

/** Whether a batch line's `url` names `endpoint` (`/v1/<path>` or `/v1beta/openai/<path>`). */
export function urlNamesEndpoint(url: string, endpoint: OpenAIEndpoint): boolean {
  return url === endpoint || url === endpoint.replace(/^\/v1\//, '/v1beta/openai/');
}

/**
 * Puts a cache's prefix in front of a generate request that names it (`cachedContent`), as
 * Gemini does: the cache's system instruction, tools and tool config become the request's, its
 * contents go before the request's own, and `cachedContent` is dropped, so every backend sees a
 * plain request. Gemini's two refusals are kept: the request's model must be the cache's, and a
 * request naming a cache may not set systemInstruction, tools or toolConfig itself. Answers then
 * report the cache's tokens as `usageMetadata.cachedContentTokenCount` (`reportCachedTokens`).
 */
import type { CachedContentRecord } from './cached-content.js';
import { invalidArgument } from './errors.js';
import type { GenerateContentRequest, GenerateContentResponse } from './gemini-types.js';

export function applyCachedPrefix(request: GenerateContentRequest, cache: CachedContentRecord, modelId: string): GenerateContentRequest {
  if (cache.model !== modelId) {
    throw invalidArgument(`Model used by GenerateContent request (models/${modelId}) and CachedContent (models/${cache.model}) has to be the same.`);
  }
  if (request.systemInstruction !== undefined || request.tools !== undefined || request.toolConfig !== undefined) {
    throw invalidArgument(
      'CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.\n\n'
      + 'Proposed fix: move those values to CachedContent from GenerateContent request.',
    );
  }
  const { cachedContent: _named, ...rest } = request;
  const { systemInstruction, contents, tools, toolConfig } = cache.prefix;
  return {
    ...rest,
    ...(systemInstruction ? { systemInstruction } : {}),
    ...(tools ? { tools } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    contents: [...(contents ?? []), ...request.contents],
  };
}

/**
 * Adds `cachedContentTokenCount` to a response (or stream chunk) that reports usage, unless the
 * backend reported its own count (the upstream Gemini API's for its copy of the cache, or an
 * OpenAI-compatible server's prefix-cache hits): the backend's count is what it served from cache.
 */
export function reportCachedTokens(response: GenerateContentResponse, cachedTokens: number): GenerateContentResponse {
  if (cachedTokens === 0 || !response.usageMetadata || (response.usageMetadata.cachedContentTokenCount ?? 0) > 0) return response;
  return { ...response, usageMetadata: { ...response.usageMetadata, cachedContentTokenCount: cachedTokens } };
}

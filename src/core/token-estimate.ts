/**
 * A backend-neutral token estimate (about 4 characters a token; media parts count as one
 * image, 258 tokens), used where no tokenizer answers: rate limiting on tokens per minute
 * before a call, and countTokens for backends without one.
 */
import type { Content, EmbedContentRequest, GenerateContentRequest } from './gemini-types.js';

const CHARS_PER_TOKEN = 4;
const MEDIA_PART_TOKENS = 258;
/** Output assumed when a request sets no maxOutputTokens. */
const DEFAULT_OUTPUT_TOKENS = 256;

function contentTokens(content: Content | undefined): number {
  let characters = 0;
  let media = 0;
  for (const part of content?.parts ?? []) {
    if (typeof part.text === 'string') characters += part.text.length;
    else if (part.inlineData || part.fileData) media++;
    else characters += JSON.stringify(part).length;
  }
  return Math.ceil(characters / CHARS_PER_TOKEN) + media * MEDIA_PART_TOKENS;
}

/** Prompt tokens of a generate request (contents and system instruction). */
export function estimatePromptTokens(request: GenerateContentRequest): number {
  return request.contents.reduce((sum, content) => sum + contentTokens(content), contentTokens(request.systemInstruction));
}

/** Prompt plus the most the answer may use: what a call can cost against a tokens-per-minute limit. */
export function estimateCallTokens(request: GenerateContentRequest | EmbedContentRequest): number {
  if ('content' in request && !('contents' in request)) return contentTokens(request.content);
  const generate = request as GenerateContentRequest;
  return estimatePromptTokens(generate) + (generate.generationConfig?.maxOutputTokens ?? DEFAULT_OUTPUT_TOKENS);
}

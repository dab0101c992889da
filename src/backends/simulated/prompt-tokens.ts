/** The prompt side of usage: the estimate `countTokens` answers and `promptTokenCount` reports. */
import type { Content, GenerateContentRequest } from '../../core/gemini-types.js';
import { estimateTokensForLength } from './token-estimate.js';

/** Tokens charged per inline or file part: Gemini's flat rate for one image up to 384 px. */
export const MEDIA_PART_TOKENS = 258;

/** The prompt estimate, split by modality as `promptTokensDetails` reports it. */
export interface PromptTokens {
  textTokens: number;
  mediaTokens: number;
  total: number;
}

/** Estimates the prompt: text (and function call/response JSON) at 4 chars a token, media parts at 258. */
export function estimatePromptTokens(request: GenerateContentRequest): PromptTokens {
  const tally = { chars: 0, mediaParts: 0 };
  if (request.systemInstruction !== undefined) addContent(request.systemInstruction, tally);
  for (const content of request.contents) addContent(content, tally);
  const textTokens = estimateTokensForLength(tally.chars);
  const mediaTokens = tally.mediaParts * MEDIA_PART_TOKENS;
  return { textTokens, mediaTokens, total: textTokens + mediaTokens };
}

function addContent(content: Content, tally: { chars: number; mediaParts: number }): void {
  for (const part of content.parts ?? []) {
    if (typeof part.text === 'string') tally.chars += part.text.length;
    else if (part.inlineData !== undefined || part.fileData !== undefined) tally.mediaParts += 1;
    else if (part.functionCall !== undefined) tally.chars += JSON.stringify(part.functionCall).length;
    else if (part.functionResponse !== undefined) tally.chars += JSON.stringify(part.functionResponse).length;
  }
}

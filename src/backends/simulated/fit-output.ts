/** Cutting generated text the way a model stops: at a stop sequence or at the output token limit. */
import { estimateTokens, maxCharsForTokens } from './token-estimate.js';

/** The text a candidate ends with and why it ended. */
export interface FittedOutput {
  text: string;
  finishReason: 'STOP' | 'MAX_TOKENS';
}

/**
 * Cuts `text` before the earliest stop sequence (the model stops there: finish reason STOP),
 * then to at most `maxOutputTokens` tokens at a word boundary when one is near (MAX_TOKENS).
 */
export function fitOutput(
  text: string,
  stopSequences: readonly string[] | undefined,
  maxOutputTokens: number | undefined,
): FittedOutput {
  let fitted = text;
  for (const stop of stopSequences ?? []) {
    if (stop === '') continue;
    const position = fitted.indexOf(stop);
    if (position !== -1) fitted = fitted.slice(0, position);
  }
  if (maxOutputTokens === undefined || maxOutputTokens <= 0 || estimateTokens(fitted) <= maxOutputTokens) {
    return { text: fitted, finishReason: 'STOP' };
  }
  const limit = maxCharsForTokens(maxOutputTokens);
  const space = fitted.lastIndexOf(' ', limit);
  let end = space > limit / 2 ? space : limit;
  // Never split a surrogate pair: an unpaired half is not valid text.
  const last = fitted.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  const cut = fitted.slice(0, end);
  return { text: cut, finishReason: 'MAX_TOKENS' };
}

/**
 * The one token estimator of the simulated backend: about four characters per token, the rule
 * of thumb Google documents for Gemini. Prompt counts, output limits and usage all use it.
 */

const CHARS_PER_TOKEN = 4;

/** Estimated tokens for a text of `length` characters (UTF-16 code units): `ceil(length / 4)`. */
export function estimateTokensForLength(length: number): number {
  return Math.ceil(length / CHARS_PER_TOKEN);
}

/** Estimated token count of `text`. */
export function estimateTokens(text: string): number {
  return estimateTokensForLength(text.length);
}

/** The longest character count whose estimate still fits in `tokens`. */
export function maxCharsForTokens(tokens: number): number {
  return Math.max(0, Math.floor(tokens)) * CHARS_PER_TOKEN;
}

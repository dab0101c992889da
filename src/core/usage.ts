/**
 * Token usage summed over a batch's requests, and its estimated cost. Reported in the batch's
 * Operation metadata as the extension field `usage` (the SDKs ignore fields they do not know).
 */

export interface TokenUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount: number;
  cachedContentTokenCount: number;
  totalTokenCount: number;
}

export interface Pricing {
  /** USD per million input tokens. */
  inputPerMillion: number;
  /** USD per million input tokens served from a cache (`cachedContentTokenCount`); default the input price. */
  cachedInputPerMillion?: number;
  /** USD per million output tokens (thinking included). */
  outputPerMillion: number;
  /** Fraction taken off for batch use (Gemini: 0.5). */
  batchDiscount: number;
}

export const emptyUsage = (): TokenUsage => ({
  promptTokenCount: 0, candidatesTokenCount: 0, thoughtsTokenCount: 0, cachedContentTokenCount: 0, totalTokenCount: 0,
});

export function addUsage(total: TokenUsage, usage: Partial<TokenUsage>): void {
  total.promptTokenCount += usage.promptTokenCount ?? 0;
  total.candidatesTokenCount += usage.candidatesTokenCount ?? 0;
  total.thoughtsTokenCount += usage.thoughtsTokenCount ?? 0;
  total.cachedContentTokenCount += usage.cachedContentTokenCount ?? 0;
  total.totalTokenCount += usage.totalTokenCount ?? 0;
}

/** The usage a response reports (`usageMetadata`), or nothing. */
export function usageOf(response: unknown): Partial<TokenUsage> | undefined {
  const usage = (response as { usageMetadata?: Partial<TokenUsage> } | undefined)?.usageMetadata;
  return usage && typeof usage === 'object' ? usage : undefined;
}

/** Compact form kept in shard logs: `prompt,candidates,thoughts,cached,total`. */
export const encodeUsage = (usage: Partial<TokenUsage> | undefined): string =>
  usage
    ? `${usage.promptTokenCount ?? 0},${usage.candidatesTokenCount ?? 0},${usage.thoughtsTokenCount ?? 0},${usage.cachedContentTokenCount ?? 0},${usage.totalTokenCount ?? 0}`
    : '';

export function decodeUsage(text: string): Partial<TokenUsage> | undefined {
  if (text === '') return undefined;
  const [prompt, candidates, thoughts, cached, total] = text.split(',').map(Number);
  return { promptTokenCount: prompt, candidatesTokenCount: candidates, thoughtsTokenCount: thoughts, cachedContentTokenCount: cached, totalTokenCount: total };
}

const COMMA = 0x2c;
const DIGIT_0 = 0x30;
const USAGE_FIELDS = ['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'cachedContentTokenCount', 'totalTokenCount'] as const;
/** The five values being read (one module-wide scratch: the read is synchronous). */
const scratch = new Float64Array(USAGE_FIELDS.length);

/**
 * Adds the encoded usage in `bytes[start, end)` (encodeUsage's form) to `total` without making a
 * string or an object: the reading of shard logs, where it runs once per request. False (and
 * nothing added) when the range is empty or not five comma-separated whole numbers.
 */
export function addEncodedUsage(total: TokenUsage, bytes: Uint8Array, start: number, end: number): boolean {
  if (end <= start) return false;
  scratch.fill(0);
  let field = 0;
  let digits = 0;
  for (let at = start; at < end; at++) {
    const byte = bytes[at] ?? 0;
    if (byte === COMMA) {
      if (digits === 0 || field === 4) return false;
      field++;
      digits = 0;
      continue;
    }
    const digit = byte - DIGIT_0;
    if (digit < 0 || digit > 9) return false;
    scratch[field] = (scratch[field] ?? 0) * 10 + digit;
    digits++;
  }
  if (field !== 4 || digits === 0) return false;
  for (let index = 0; index < USAGE_FIELDS.length; index++) total[USAGE_FIELDS[index] ?? 'totalTokenCount'] += scratch[index] ?? 0;
  return true;
}

/**
 * Estimated cost in USD: input (the prompt and any tool-use prompt) at the input price (its
 * cached part, which `promptTokenCount` includes as Gemini counts it, at the cached-input price),
 * output and thinking at the output price, less the batch discount.
 */
export function estimateCost(usage: TokenUsage, pricing: Pricing): number {
  // Input is what the total holds besides output and thinking: the prompt, and the tool-use
  // prompt (`toolUsePromptTokenCount`, e.g. search results batchmode added) that Gemini counts
  // in the total but not in promptTokenCount.
  const prompt = Math.max(usage.promptTokenCount, usage.totalTokenCount - usage.candidatesTokenCount - usage.thoughtsTokenCount);
  const cached = Math.min(usage.cachedContentTokenCount, prompt);
  const input = (prompt - cached) * pricing.inputPerMillion + cached * (pricing.cachedInputPerMillion ?? pricing.inputPerMillion);
  const full = (input + (usage.candidatesTokenCount + usage.thoughtsTokenCount) * pricing.outputPerMillion) / 1e6;
  return Math.round(full * (1 - pricing.batchDiscount) * 1e6) / 1e6;
}

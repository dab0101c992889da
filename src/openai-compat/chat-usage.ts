/**
 * Token usage in both directions. OpenAI counts reasoning inside `completion_tokens` (and says
 * how much in completion_tokens_details.reasoning_tokens); Gemini counts thoughts apart
 * (thoughtsTokenCount) beside candidatesTokenCount. Cached prompt tokens are
 * prompt_tokens_details.cached_tokens on one side and cachedContentTokenCount on the other.
 *
 * - `fromChatUsage` (OpenAI → Gemini, the OpenAI-compatible backend): candidatesTokenCount =
 *   completion_tokens − reasoning_tokens; totalTokenCount stays prompt + candidates + thoughts.
 *   Zero counts are left out, as proto3 JSON leaves them out. The prompt is reported as one TEXT
 *   modality: the servers do not say how much of it was image or audio.
 * - `toChatUsage` (Gemini → OpenAI, this surface): completion_tokens = candidates + thoughts;
 *   prompt_tokens also counts toolUsePromptTokenCount (prompt tokens Gemini spent on tool
 *   results); both details objects are always present, as OpenAI writes them.
 */
import type { CompletionUsage } from 'openai/resources/completions';
import type { UsageMetadata } from '../core/gemini-types.js';

/** The usage metadata for `usage`; undefined when the server reported none. */
export function fromChatUsage(usage: CompletionUsage | null | undefined): UsageMetadata | undefined {
  if (usage === null || usage === undefined) return undefined;
  const promptTokens = count(usage.prompt_tokens);
  const completionTokens = count(usage.completion_tokens);
  const reasoningTokens = Math.min(count(usage.completion_tokens_details?.reasoning_tokens), completionTokens);
  const cachedTokens = count(usage.prompt_tokens_details?.cached_tokens);
  const totalTokens = count(usage.total_tokens) || promptTokens + completionTokens;
  const metadata: UsageMetadata = {};
  if (promptTokens > 0) metadata.promptTokenCount = promptTokens;
  if (completionTokens - reasoningTokens > 0) metadata.candidatesTokenCount = completionTokens - reasoningTokens;
  if (totalTokens > 0) metadata.totalTokenCount = totalTokens;
  if (cachedTokens > 0) metadata.cachedContentTokenCount = cachedTokens;
  if (reasoningTokens > 0) metadata.thoughtsTokenCount = reasoningTokens;
  if (promptTokens > 0) metadata.promptTokensDetails = [{ modality: 'TEXT', tokenCount: promptTokens }];
  return metadata;
}

/** OpenAI's `usage` for Gemini's `usageMetadata` (all zeros when there is none). */
export function toChatUsage(metadata: UsageMetadata | undefined): CompletionUsage {
  const promptTokens = count(metadata?.promptTokenCount) + count(metadata?.toolUsePromptTokenCount);
  const thoughtsTokens = count(metadata?.thoughtsTokenCount);
  const completionTokens = count(metadata?.candidatesTokenCount) + thoughtsTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: count(metadata?.totalTokenCount) || promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: count(metadata?.cachedContentTokenCount) },
    completion_tokens_details: { reasoning_tokens: thoughtsTokens },
  };
}

/** A token count as a non-negative integer (servers send null for unknown details). */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * Chat `logprobs.content` → Gemini `logprobsResult` (chosen token per step, and the top
 * alternatives when `top_logprobs` was asked for) and `avgLogprobs` (their mean).
 */
import type { ChatCompletionTokenLogprob } from 'openai/resources/chat/completions';

/** The candidate fields Gemini reports log probabilities in. */
export interface CandidateLogprobs {
  logprobsResult: {
    topCandidates?: { candidates: { token: string; logProbability: number }[] }[];
    chosenCandidates: { token: string; logProbability: number }[];
  };
  avgLogprobs: number;
}

/** Gemini's logprob fields for `tokens`; undefined when the server sent none. */
export function fromLogprobs(tokens: readonly ChatCompletionTokenLogprob[] | null | undefined): CandidateLogprobs | undefined {
  if (tokens === null || tokens === undefined || tokens.length === 0) return undefined;
  const chosenCandidates = tokens.map((token) => ({ token: token.token, logProbability: token.logprob }));
  const hasTop = tokens.some((token) => (token.top_logprobs?.length ?? 0) > 0);
  const topCandidates = hasTop
    ? tokens.map((token) => ({ candidates: (token.top_logprobs ?? []).map((top) => ({ token: top.token, logProbability: top.logprob })) }))
    : undefined;
  const sum = chosenCandidates.reduce((total, chosen) => total + chosen.logProbability, 0);
  return {
    logprobsResult: { ...(topCandidates === undefined ? {} : { topCandidates }), chosenCandidates },
    avgLogprobs: sum / chosenCandidates.length,
  };
}

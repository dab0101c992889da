/**
 * Log probabilities in both directions. OpenAI: a choice's `logprobs.content`, one entry per
 * token with its `top_logprobs` alternatives. Gemini: a candidate's `logprobsResult`
 * (`chosenCandidates`, one per step, and `topCandidates` when alternatives were asked for) and
 * `avgLogprobs`, their mean.
 * - `fromLogprobs` (the OpenAI-compatible backend reading a server's answer).
 * - `toLogprobs` (this surface answering a client): `bytes` are the token's UTF-8 bytes, as
 *   OpenAI sends them; `top_logprobs` is empty when no alternatives were asked for.
 */
import type { ChatCompletionTokenLogprob } from 'openai/resources/chat/completions';
import type { Candidate } from '../core/gemini-types.js';

/** One token with its log probability, as Gemini writes it. */
interface GeminiTokenLogprob {
  token: string;
  logProbability: number;
}

/** The candidate fields Gemini reports log probabilities in. */
export interface CandidateLogprobs {
  logprobsResult: {
    topCandidates?: { candidates: GeminiTokenLogprob[] }[];
    chosenCandidates: GeminiTokenLogprob[];
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

/** OpenAI's `logprobs.content` for `candidate`; undefined when it carries none. */
export function toLogprobs(candidate: Candidate): ChatCompletionTokenLogprob[] | undefined {
  const result = candidate.logprobsResult as Partial<CandidateLogprobs['logprobsResult']> | undefined;
  const chosen = Array.isArray(result?.chosenCandidates) ? result.chosenCandidates : [];
  if (chosen.length === 0) return undefined;
  const top = Array.isArray(result?.topCandidates) ? result.topCandidates : [];
  return chosen.map((token, step) => ({
    ...tokenOf(token),
    top_logprobs: (top[step]?.candidates ?? []).map(tokenOf),
  }));
}

function tokenOf(token: Partial<GeminiTokenLogprob>): { token: string; logprob: number; bytes: number[] } {
  const text = typeof token.token === 'string' ? token.token : '';
  return { token: text, logprob: typeof token.logProbability === 'number' ? token.logProbability : 0, bytes: [...Buffer.from(text, 'utf8')] };
}

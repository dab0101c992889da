/**
 * One Gemini candidate from what a chat choice said: reasoning (as a thought part, when asked
 * for), answer text, function calls, finish reason and log probabilities. Shared by the whole
 * response and by the last chunk of a stream.
 */
import type { ChatCompletionTokenLogprob } from 'openai/resources/chat/completions';
import type { Candidate, Part } from '../../core/gemini-types.js';
import { toFinishReason } from '../../openai-compat/finish-reason.js';
import { fromLogprobs } from '../../openai-compat/chat-logprobs.js';
import { fromToolCalls, type RawToolCall } from './from-tool-calls.js';
import type { ResponsePlan } from './to-chat-request.js';
import { unwrapEnumText } from './to-response-format.js';

/** What one choice said. */
export interface CandidateInput {
  index: number;
  reasoning?: string | null | undefined;
  text?: string | null | undefined;
  toolCalls: readonly RawToolCall[];
  finishReason: string | null | undefined;
  logprobs?: readonly ChatCompletionTokenLogprob[] | null | undefined;
}

/** The Gemini candidate for `input`. */
export function buildCandidate(input: CandidateInput, plan: ResponsePlan): Candidate {
  const parts: Part[] = [];
  if (plan.includeThoughts && input.reasoning) parts.push({ text: input.reasoning, thought: true });
  if (input.text) parts.push({ text: plan.isEnum ? unwrapEnumText(input.text) : input.text });
  const calls = fromToolCalls(input.toolCalls);
  parts.push(...calls.parts);
  const candidate: Candidate = {
    content: parts.length > 0 ? { role: 'model', parts } : { role: 'model' },
    finishReason: calls.malformedMessage === undefined ? toFinishReason(input.finishReason) : 'MALFORMED_FUNCTION_CALL',
  };
  if (calls.malformedMessage !== undefined) candidate.finishMessage = calls.malformedMessage;
  const logprobs = fromLogprobs(input.logprobs);
  if (logprobs !== undefined) {
    candidate.avgLogprobs = logprobs.avgLogprobs;
    candidate.logprobsResult = logprobs.logprobsResult;
  }
  candidate.index = input.index;
  return candidate;
}

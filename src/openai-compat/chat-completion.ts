/**
 * A Gemini GenerateContentResponse → OpenAI's `chat.completion`: one choice per candidate, in
 * index order, with the assistant message (content = the answer text, null when the candidate
 * only calls functions or says nothing; `tool_calls` when it calls functions; refusal null), the
 * mapped finish reason (finish-reason.ts), `logprobs` when the candidate carries them, and
 * usage (chat-usage.ts). A prompt Gemini blocked (no candidates, promptFeedback.blockReason) is
 * one empty choice finished by `content_filter`, so clients reading choices[0] see why.
 * `system_fingerprint` is left out.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { GenerateContentResponse } from '../core/gemini-types.js';
import { readCandidate, type CandidateMessage } from './candidate-message.js';
import { toChatUsage } from './chat-usage.js';
import { toOpenAIFinishReason } from './finish-reason.js';
import { isRecord } from './read-fields.js';

/** What identifies a completion: its id, the model the client named, its creation time. */
export interface CompletionContext {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

/** The chat completion for `response`. */
export function geminiToChatCompletion(response: GenerateContentResponse, context: CompletionContext): Record<string, unknown> {
  const completion: ChatCompletion = {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: choicesOf(response, context.id),
    usage: toChatUsage(response.usageMetadata),
  };
  return completion as unknown as Record<string, unknown>;
}

function choicesOf(response: GenerateContentResponse, completionId: string): ChatCompletion.Choice[] {
  const candidates = response.candidates ?? [];
  if (candidates.length === 0) return isBlocked(response) ? [emptyChoice()] : [];
  return candidates
    .map((candidate, position) => readCandidate(candidate, position, completionId))
    .sort((left, right) => left.index - right.index)
    .map(choiceOf);
}

function choiceOf(candidate: CandidateMessage): ChatCompletion.Choice {
  const hasCalls = candidate.toolCalls.length > 0;
  return {
    index: candidate.index,
    message: {
      role: 'assistant',
      content: candidate.text ?? null,
      refusal: null,
      ...(hasCalls ? { tool_calls: candidate.toolCalls } : {}),
    },
    logprobs: candidate.logprobs === undefined ? null : { content: candidate.logprobs, refusal: null },
    finish_reason: toOpenAIFinishReason(candidate.finishReason, hasCalls),
  };
}

function isBlocked(response: GenerateContentResponse): boolean {
  return isRecord(response.promptFeedback) && typeof response.promptFeedback.blockReason === 'string';
}

function emptyChoice(): ChatCompletion.Choice {
  return { index: 0, message: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: 'content_filter' };
}

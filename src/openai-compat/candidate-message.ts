/**
 * What one Gemini candidate says, in OpenAI's terms: its answer text (text parts that are not
 * thoughts, joined; undefined when it has none), its function calls as `tool_calls`
 * (arguments = the JSON of `args`, ids from tool-call-id.ts), its finish reason and its log
 * probabilities. Shared by the whole completion and by the stream's chunks.
 */
import type { ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import type { Candidate } from '../core/gemini-types.js';
import { toLogprobs } from './chat-logprobs.js';
import type { ChatCompletionTokenLogprob } from './openai-wire-types.js';
import { toolCallId } from './tool-call-id.js';

/** One candidate, read. */
export interface CandidateMessage {
  index: number;
  text: string | undefined;
  toolCalls: ChatCompletionMessageFunctionToolCall[];
  /** Gemini's finishReason, as it came (undefined while a stream is not done with the candidate). */
  finishReason: string | undefined;
  logprobs: ChatCompletionTokenLogprob[] | undefined;
}

/**
 * Reads `candidate` (at `position` when it has no index). `firstCallIndex` numbers its calls
 * after those a stream has already reported for the same choice.
 */
export function readCandidate(candidate: Candidate, position: number, completionId: string, firstCallIndex = 0): CandidateMessage {
  const index = typeof candidate.index === 'number' ? candidate.index : position;
  let text: string | undefined;
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.thought === true) continue;
    if (typeof part.text === 'string') text = (text ?? '') + part.text;
    else if (part.functionCall !== undefined) {
      const call = part.functionCall;
      toolCalls.push({
        id: toolCallId(completionId, index, firstCallIndex + toolCalls.length, call.id),
        type: 'function',
        function: { name: call.name ?? '', arguments: JSON.stringify(call.args ?? {}) },
      });
    }
  }
  return {
    index,
    text,
    toolCalls,
    finishReason: typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined,
    logprobs: toLogprobs(candidate),
  };
}

/**
 * A Gemini stream (GenerateContentResponse chunks) → OpenAI `chat.completion.chunk` objects, one
 * encoder per stream. Per choice: the first chunk carries `role: 'assistant'` (with `content: ''`
 * when it brings no text or call, as OpenAI's first chunk does), then text deltas and tool call
 * deltas (Gemini sends each call whole, so one delta holds its id, name and all its arguments;
 * `index` counts the choice's calls); when Gemini gives the candidate's finish reason, a chunk
 * with an empty delta and the mapped `finish_reason` follows its last delta. Thought parts are
 * not content. With `include_usage`, every chunk has `usage: null` and `finish()` adds a last
 * chunk with `choices: []` and the usage of the last Gemini chunk that reported one; `finish()`
 * also closes, with `stop` (or `tool_calls`), any choice the stream left without a finish reason.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { GenerateContentResponse, UsageMetadata } from '../core/gemini-types.js';
import { readCandidate } from './candidate-message.js';
import type { CompletionContext } from './chat-completion.js';
import { toChatUsage } from './chat-usage.js';
import { toOpenAIFinishReason } from './finish-reason.js';

/** Encodes one stream. */
export interface ChatChunkEncoder {
  /** The chunks for one Gemini stream chunk (zero or more). */
  chunk(response: GenerateContentResponse): Record<string, unknown>[];
  /** The chunks that end the stream (before `data: [DONE]`). */
  finish(): Record<string, unknown>[];
}

/** What one choice has sent so far. */
interface ChoiceState {
  isStarted: boolean;
  isFinished: boolean;
  callCount: number;
}

/** An encoder for the stream of completion `context`. */
export function createChatChunkEncoder(context: CompletionContext, options: { includeUsage: boolean }): ChatChunkEncoder {
  const choices = new Map<number, ChoiceState>();
  let usage: UsageMetadata | undefined;

  const chunkOf = (choice: ChatCompletionChunk.Choice | undefined): Record<string, unknown> => {
    const chunk: ChatCompletionChunk = {
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      choices: choice === undefined ? [] : [choice],
      ...(options.includeUsage ? { usage: null } : {}),
    };
    return chunk as unknown as Record<string, unknown>;
  };

  const finishChunk = (index: number, state: ChoiceState, finishReason: string | undefined): Record<string, unknown> => {
    const delta: ChatCompletionChunk.Choice.Delta = state.isStarted ? {} : { role: 'assistant', content: '' };
    state.isStarted = true;
    state.isFinished = true;
    return chunkOf({ index, delta, logprobs: null, finish_reason: toOpenAIFinishReason(finishReason, state.callCount > 0) });
  };

  return {
    chunk(response) {
      if (response.usageMetadata !== undefined) usage = response.usageMetadata;
      const out: Record<string, unknown>[] = [];
      (response.candidates ?? []).forEach((candidate, position) => {
        const index = typeof candidate.index === 'number' ? candidate.index : position;
        const state = choices.get(index) ?? { isStarted: false, isFinished: false, callCount: 0 };
        choices.set(index, state);
        if (state.isFinished) return;
        const read = readCandidate(candidate, index, context.id, state.callCount);
        const delta: ChatCompletionChunk.Choice.Delta = {};
        if (read.text !== undefined && read.text !== '') delta.content = read.text;
        if (read.toolCalls.length > 0) {
          delta.tool_calls = read.toolCalls.map((call, offset) => ({ index: state.callCount + offset, ...call }));
          state.callCount += read.toolCalls.length;
        }
        if (delta.content !== undefined || delta.tool_calls !== undefined || read.logprobs !== undefined) {
          const first: ChatCompletionChunk.Choice.Delta = state.isStarted ? {} : { role: 'assistant', ...(delta.tool_calls === undefined ? { content: '' } : {}) };
          state.isStarted = true;
          const logprobs = read.logprobs === undefined ? null : { content: read.logprobs, refusal: null };
          out.push(chunkOf({ index, delta: { ...first, ...delta }, logprobs, finish_reason: null }));
        }
        if (read.finishReason !== undefined) out.push(finishChunk(index, state, read.finishReason));
      });
      return out;
    },

    finish() {
      const out: Record<string, unknown>[] = [];
      const open = [...choices.entries()].filter(([, state]) => !state.isFinished).sort(([left], [right]) => left - right);
      for (const [index, state] of open) out.push(finishChunk(index, state, undefined));
      if (options.includeUsage) out.push({ ...chunkOf(undefined), usage: toChatUsage(usage) });
      return out;
    },
  };
}

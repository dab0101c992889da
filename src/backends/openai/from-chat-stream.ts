/**
 * A streamed chat completion (`stream: true`, `stream_options.include_usage`) → Gemini stream
 * chunks. Text (and, when asked for, reasoning as thought parts) is passed on delta by delta;
 * the last chunk carries every candidate's finish reason, its function calls (assembled from
 * their argument deltas: a half-sent call is no use to a client) and the usage, which OpenAI
 * sends after the finish reasons. An enum answer is held back to the last chunk too, since it
 * is unwrapped from its JSON quotes whole.
 *
 * A stream that ends before `[DONE]` with no finish reason was cut off: UNAVAILABLE, retryable.
 * After `[DONE]` the rest of the body is still read, so the connection can be reused.
 */
import type { ChatCompletionTokenLogprob } from 'openai/resources/chat/completions';
import type { Candidate, GenerateContentResponse, Part, UsageMetadata } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';
import { buildCandidate } from './build-candidate.js';
import { errorFromStreamEvent } from './classify-error.js';
import { fromChatUsage } from '../../openai-compat/chat-usage.js';
import type { RawToolCall } from './from-tool-calls.js';
import type { ChatChunk, ChatChunkChoice } from '../../openai-compat/openai-wire-types.js';
import { isRecord } from './is-record.js';
import { unexpectedBody } from './unexpected-body.js';
import type { SseEvent } from '../../lib/sse.js';
import type { ResponsePlan } from './to-chat-request.js';

/** What one choice has said so far. */
interface ChoiceState {
  enumText: string;
  toolCalls: Map<number, { id: string | undefined; name: string; arguments: string }>;
  finishReason: string | null;
  logprobs: ChatCompletionTokenLogprob[];
}

/** Yields the Gemini chunks of the streamed answer in `events`. */
export async function* fromChatStream(events: AsyncIterable<SseEvent>, plan: ResponsePlan, serverLabel: string): AsyncGenerator<GenerateContentResponse> {
  const choices = new Map<number, ChoiceState>();
  const ids: { modelVersion?: string; responseId?: string } = {};
  let usage: UsageMetadata | undefined;
  let isDone = false;
  for await (const { event, data } of events) {
    if (isDone) continue;
    if (data === '[DONE]') {
      isDone = true;
      continue;
    }
    const chunk = parseChunk(event, data, serverLabel);
    if (chunk.id) ids.responseId = chunk.id;
    if (chunk.model) ids.modelVersion = chunk.model;
    if (chunk.usage) usage = fromChatUsage(chunk.usage);
    const candidates: Candidate[] = [];
    for (const choice of chunk.choices ?? []) {
      const parts = readChoice(choice, stateOf(choices, choice.index), plan);
      if (parts.length > 0) candidates.push({ content: { role: 'model', parts }, index: choice.index });
    }
    if (candidates.length > 0) yield { candidates, ...ids };
  }
  const states = [...choices.entries()].sort(([left], [right]) => left - right);
  if (!isDone && !states.some(([, state]) => state.finishReason !== null)) {
    throw new BackendError(`the OpenAI-compatible server ${serverLabel} ended the stream before the answer was complete`, { status: 'UNAVAILABLE', retryable: true });
  }
  const candidates = states.map(([index, state]) =>
    buildCandidate(
      {
        index,
        text: plan.isEnum ? state.enumText : undefined,
        toolCalls: [...state.toolCalls.values()].map((call): RawToolCall => ({ id: call.id, name: call.name, arguments: call.arguments })),
        finishReason: state.finishReason,
        logprobs: state.logprobs,
      },
      plan,
    ),
  );
  yield { ...(candidates.length > 0 ? { candidates } : {}), ...(usage === undefined ? {} : { usageMetadata: usage }), ...ids };
}

/** Records what `choice` adds and returns the parts to pass on now. */
function readChoice(choice: ChatChunkChoice, state: ChoiceState, plan: ResponsePlan): Part[] {
  const parts: Part[] = [];
  const delta = choice.delta ?? {};
  const reasoning = delta.reasoning_content ?? delta.reasoning;
  if (reasoning && plan.includeThoughts) parts.push({ text: reasoning, thought: true });
  if (delta.content) {
    if (plan.isEnum) state.enumText += delta.content;
    else parts.push({ text: delta.content });
  }
  for (const call of delta.tool_calls ?? []) {
    const index = call.index ?? state.toolCalls.size;
    const known = state.toolCalls.get(index) ?? { id: undefined, name: '', arguments: '' };
    if (call.id) known.id = call.id;
    if (call.function?.name && known.name === '') known.name = call.function.name;
    if (call.function?.arguments) known.arguments += call.function.arguments;
    state.toolCalls.set(index, known);
  }
  if (delta.function_call) {
    const known = state.toolCalls.get(0) ?? { id: undefined, name: '', arguments: '' };
    if (delta.function_call.name && known.name === '') known.name = delta.function_call.name;
    if (delta.function_call.arguments) known.arguments += delta.function_call.arguments;
    state.toolCalls.set(0, known);
  }
  if (choice.finish_reason) state.finishReason = choice.finish_reason;
  if (choice.logprobs?.content) state.logprobs.push(...choice.logprobs.content);
  return parts;
}

function stateOf(choices: Map<number, ChoiceState>, index: number): ChoiceState {
  let state = choices.get(index);
  if (state === undefined) {
    state = { enumText: '', toolCalls: new Map(), finishReason: null, logprobs: [] };
    choices.set(index, state);
  }
  return state;
}

/** One `data:` payload as a chunk (validate at the edge); a reported error is thrown. */
function parseChunk(event: string, data: string, serverLabel: string): ChatChunk {
  if (event === 'error') throw errorFromStreamEvent(data, serverLabel);
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return unexpectedBody(serverLabel, `a stream event that is not JSON: ${data.slice(0, 200)}`);
  }
  if (!isRecord(value)) return unexpectedBody(serverLabel, 'a stream event that is not a JSON object');
  if ((value.error !== undefined && value.error !== null) || value.object === 'error') throw errorFromStreamEvent(data, serverLabel);
  const { choices } = value;
  if (choices !== undefined && choices !== null) {
    if (!Array.isArray(choices)) return unexpectedBody(serverLabel, 'a stream event whose choices is not a list');
    for (const choice of choices) {
      if (!isRecord(choice) || typeof choice.index !== 'number') return unexpectedBody(serverLabel, 'a stream event with a choice without an index');
      if (choice.delta !== undefined && choice.delta !== null && !isRecord(choice.delta)) return unexpectedBody(serverLabel, 'a stream event whose delta is not an object');
    }
  }
  return value as ChatChunk;
}

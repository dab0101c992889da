/**
 * A chat completion → a Gemini GenerateContentResponse: one candidate per choice (see
 * build-candidate.ts), usage (see openai-compat/chat-usage.ts), `modelVersion` = the server's model name,
 * `responseId` = the completion id. Empty fields are left out, as proto3 JSON leaves them out;
 * there is never a continuationToken.
 */
import type { GenerateContentResponse } from '../../core/gemini-types.js';
import { buildCandidate } from './build-candidate.js';
import { fromChatUsage } from '../../openai-compat/chat-usage.js';
import type { RawToolCall } from './from-tool-calls.js';
import type { ChatResponse, ChatResponseMessage } from '../../openai-compat/openai-wire-types.js';
import type { ResponsePlan } from './to-chat-request.js';

/** The Gemini response for `completion` (already checked by parseChatResponse). */
export function fromChatResponse(completion: ChatResponse, plan: ResponsePlan): GenerateContentResponse {
  const response: GenerateContentResponse = {};
  if (completion.choices.length > 0) {
    response.candidates = completion.choices
      .map((choice, position) =>
        buildCandidate(
          {
            index: choice.index ?? position,
            reasoning: choice.message.reasoning_content ?? choice.message.reasoning,
            text: choice.message.content ?? choice.message.refusal,
            toolCalls: toolCallsOf(choice.message),
            finishReason: choice.finish_reason,
            logprobs: choice.logprobs?.content,
          },
          plan,
        ),
      )
      .sort((left, right) => (left.index ?? 0) - (right.index ?? 0));
  }
  const usage = fromChatUsage(completion.usage);
  if (usage !== undefined) response.usageMetadata = usage;
  if (completion.model) response.modelVersion = completion.model;
  if (completion.id) response.responseId = completion.id;
  return response;
}

function toolCallsOf(message: ChatResponseMessage): RawToolCall[] {
  const calls: RawToolCall[] = [];
  for (const call of message.tool_calls ?? []) {
    if (call.type === 'custom') calls.push({ id: call.id, name: call.custom.name, arguments: call.custom.input });
    else calls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  if (calls.length === 0 && message.function_call) calls.push({ name: message.function_call.name, arguments: message.function_call.arguments });
  return calls;
}

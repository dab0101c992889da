/**
 * Checks a 2xx chat completion body before reading it (validate at the edge): the fields the
 * translation reads must have the types the OpenAI spec gives them. A body that is not a chat
 * completion means a misconfigured base URL or a broken server: INTERNAL, not retried.
 */
import { isRecord } from './is-record.js';
import type { ChatResponse } from '../../openai-compat/openai-wire-types.js';
import { unexpectedBody } from './unexpected-body.js';
import { upstreamErrorMessage } from './upstream-error-message.js';

/** `value` as a chat completion; throws INTERNAL when it is not one. */
export function parseChatResponse(value: unknown, serverLabel: string): ChatResponse {
  const problem = findProblem(value);
  if (problem === undefined) return value as ChatResponse;
  return unexpectedBody(serverLabel, problem);
}

function findProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object';
  if (value.error !== undefined && value.error !== null) return `an error: ${upstreamErrorMessage(value)}`;
  if (!Array.isArray(value.choices)) return 'choices is not a list';
  for (const [index, choice] of value.choices.entries()) {
    if (!isRecord(choice) || !isRecord(choice.message)) return `choices[${index}].message is not an object`;
    const problem = messageProblem(choice.message);
    if (problem !== undefined) return `choices[${index}].message.${problem}`;
    if (!isOptional(choice.index, 'number')) return `choices[${index}].index is not a number`;
    if (!isOptional(choice.finish_reason, 'string')) return `choices[${index}].finish_reason is not a string`;
  }
  if (value.usage !== undefined && value.usage !== null && !isRecord(value.usage)) return 'usage is not an object';
  return undefined;
}

function messageProblem(message: Record<string, unknown>): string | undefined {
  for (const field of ['content', 'refusal', 'reasoning_content', 'reasoning'] as const) {
    if (!isOptional(message[field], 'string')) return `${field} is not a string`;
  }
  const toolCalls = message.tool_calls;
  if (toolCalls === undefined || toolCalls === null) return undefined;
  if (!Array.isArray(toolCalls)) return 'tool_calls is not a list';
  const broken = toolCalls.findIndex((call) => !isRecord(call) || (call.type === 'function' || call.type === undefined ? !isRecord(call.function) || typeof call.function.name !== 'string' : false));
  return broken === -1 ? undefined : `tool_calls[${broken}] is not a function call`;
}

/** Absent, null, or of type `type`. */
function isOptional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || value === null || typeof value === type;
}


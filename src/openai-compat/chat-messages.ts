/**
 * Chat `messages` → Gemini `systemInstruction` + `contents`, in order.
 *
 * - `system` and `developer` messages, wherever they stand, become the parts of the one
 *   systemInstruction (Gemini has no system turns), in order.
 * - `user` messages become `user` turns (see chat-content-parts.ts for their parts).
 * - `assistant` messages become `model` turns: text (and refusal) parts, then one functionCall
 *   part per `tool_calls` entry (its `id` kept as functionCall.id, its JSON-string `arguments`
 *   parsed into `args`, which must be a JSON object; `""` means none). The legacy
 *   `function_call` reads the same. Empty texts are dropped; a message left with no part is
 *   skipped.
 * - `tool` messages become functionResponse parts (`id` = tool_call_id, `name` = the name of the
 *   earlier call with that id, which must exist), consecutive ones gathered into one `user` turn,
 *   as Gemini expects the answers to parallel calls. The content becomes `response`: the object
 *   itself when the text is a JSON object, else `{output: text}` (Gemini's documented key for a
 *   function's output). Legacy `function` messages read the same, matched by `name`.
 * - Message `name` fields are ignored. A conversation with no turn besides system messages is
 *   refused: Gemini needs at least one.
 */
import type { Content, Part } from '../core/gemini-types.js';
import { textContent, userContentParts } from './chat-content-parts.js';
import { invalidType, invalidValue, missingParameter, paramPath } from './openai-input-error.js';
import { isRecord, optionalArray, optionalEnum, optionalRecord, requiredRecord, requiredString } from './read-fields.js';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

/** The Gemini turns of a conversation. */
export interface TranslatedMessages {
  systemInstruction?: Content;
  contents: Content[];
}

/** Translates `messages` (the body's field, required and non-empty). Throws OpenAIInputError. */
export function chatMessagesToContents(messages: unknown, param = 'messages'): TranslatedMessages {
  const list = optionalArray(messages, param);
  if (list === undefined) throw missingParameter(param);
  if (list.length === 0) throw invalidValue(param, 'expected a non-empty array of messages.', 'empty_array');
  const system: Part[] = [];
  const contents: Content[] = [];
  const callNames = new Map<string, string>();
  /** The user turn of function responses being gathered, while tool messages follow each other. */
  let responses: Content | undefined;
  list.forEach((value, index) => {
    const where = paramPath(param, index);
    const message = requiredRecord(value, where);
    const role = optionalEnum(message.role, paramPath(where, 'role'), ROLES);
    if (role === undefined) throw missingParameter(paramPath(where, 'role'));
    if (role === 'tool' || role === 'function') {
      if (responses === undefined) {
        responses = { role: 'user', parts: [] };
        contents.push(responses);
      }
      responses.parts?.push(role === 'tool' ? toolResponse(message, where, callNames) : functionResponse(message, where));
      return;
    }
    responses = undefined;
    if (role === 'system' || role === 'developer') {
      for (const text of textContent(message.content, paramPath(where, 'content'))) system.push({ text });
    } else if (role === 'user') {
      contents.push({ role: 'user', parts: userContentParts(message.content, paramPath(where, 'content')) });
    } else {
      const parts = assistantParts(message, where, callNames);
      if (parts.length > 0) contents.push({ role: 'model', parts });
    }
  });
  if (contents.length === 0) throw invalidValue(param, 'expected at least one user, assistant or tool message besides system messages.');
  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

function assistantParts(message: Record<string, unknown>, where: string, callNames: Map<string, string>): Part[] {
  const texts = textContent(message.content, paramPath(where, 'content'), true);
  if (texts.length === 0 && typeof message.refusal === 'string') texts.push(message.refusal);
  const parts: Part[] = texts.filter((text) => text !== '').map((text) => ({ text }));
  const toolCalls = optionalArray(message.tool_calls, paramPath(where, 'tool_calls')) ?? [];
  toolCalls.forEach((value, index) => {
    const at = paramPath(paramPath(where, 'tool_calls'), index);
    const call = requiredRecord(value, at);
    if (call.type !== undefined && call.type !== null && call.type !== 'function') {
      throw invalidValue(paramPath(at, 'type'), `only 'function' tool calls are supported, got ${JSON.stringify(call.type)}.`);
    }
    const id = requiredString(call.id, paramPath(at, 'id'));
    const { name, args } = functionOf(requiredRecord(call.function, paramPath(at, 'function')), paramPath(at, 'function'));
    callNames.set(id, name);
    parts.push({ functionCall: { id, name, args } });
  });
  const legacy = optionalRecord(message.function_call, paramPath(where, 'function_call'));
  if (legacy !== undefined) parts.push({ functionCall: functionOf(legacy, paramPath(where, 'function_call')) });
  return parts;
}

function functionOf(fn: Record<string, unknown>, where: string): { name: string; args: Record<string, unknown> } {
  const name = requiredString(fn.name, paramPath(where, 'name'));
  const param = paramPath(where, 'arguments');
  const text = fn.arguments;
  if (text === undefined || text === null || text === '') return { name, args: {} };
  if (typeof text !== 'string') throw invalidType(param, 'a string holding a JSON object', text);
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    throw invalidValue(param, 'expected a JSON object as a string, but the text is not valid JSON.');
  }
  if (!isRecord(args)) throw invalidValue(param, 'expected a JSON object as a string, but the JSON is not an object.');
  return { name, args };
}

function toolResponse(message: Record<string, unknown>, where: string, callNames: Map<string, string>): Part {
  const param = paramPath(where, 'tool_call_id');
  const id = requiredString(message.tool_call_id, param);
  const name = callNames.get(id);
  if (name === undefined) throw invalidValue(param, `'${id}' answers no tool call of an earlier assistant message.`);
  return { functionResponse: { id, name, response: responseOf(message.content, paramPath(where, 'content')) } };
}

function functionResponse(message: Record<string, unknown>, where: string): Part {
  const name = requiredString(message.name, paramPath(where, 'name'));
  return { functionResponse: { name, response: responseOf(message.content, paramPath(where, 'content')) } };
}

/** A tool's answer as Gemini's `response` object. */
function responseOf(content: unknown, param: string): Record<string, unknown> {
  const text = textContent(content, param).join('');
  try {
    const value: unknown = JSON.parse(text);
    if (isRecord(value)) return value;
  } catch {
    // Not JSON: plain text output.
  }
  return { output: text };
}

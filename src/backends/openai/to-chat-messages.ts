/**
 * Gemini `systemInstruction` + `contents` → chat `messages`, in order.
 *
 * - `systemInstruction` becomes one leading `system` message (text parts only).
 * - `user` (or unset) turns become `user` messages; `function` turns (the older spelling of a
 *   turn of function responses) are read like `user` turns. Their `functionResponse` parts
 *   become `tool` messages placed first, right after the assistant message whose calls they
 *   answer; the remaining parts form the `user` message.
 * - `model` turns become `assistant` messages: text as `content`, `functionCall` parts as
 *   `tool_calls` (arguments = JSON of `args`).
 * - `thought` parts are dropped (servers re-derive their own reasoning); thought signatures and
 *   media metadata are ignored. Any other part kind (executableCode, codeExecutionResult, …)
 *   fails the request with INVALID_ARGUMENT.
 * - Text-only messages are sent as one string (user and system parts joined with a newline, as
 *   vLLM joins text content parts; model parts joined with nothing, as they are pieces of one
 *   answer), which every server accepts; messages with media use a content-part array.
 */
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionToolMessageParam,
} from 'openai/resources/chat/completions';
import type { Content, GenerateContentRequest, Part } from '../../core/gemini-types.js';
import { invalidRequest, unsupportedFeature } from './invalid-request.js';
import type { ResolvedFiles } from './resolve-file-parts.js';
import { createToolCallLedger, type ToolCallLedger } from './tool-call-ledger.js';
import { toMediaPart } from './to-media-part.js';

/** Part fields that carry no content of their own and are left out silently. */
const IGNORED_PART_FIELDS = new Set(['thought', 'thoughtSignature', 'videoMetadata', 'mediaResolution', 'partMetadata']);

type PartKind = 'text' | 'inlineData' | 'fileData' | 'functionCall' | 'functionResponse' | 'ignored';

/** Where translation looks up resolved files and names the server in errors. */
interface Context {
  files: ResolvedFiles;
  serverLabel: string;
  ledger: ToolCallLedger;
}

/** The chat messages for `request`. Throws INVALID_ARGUMENT (a BackendError) for what cannot be sent. */
export function toChatMessages(request: GenerateContentRequest, files: ResolvedFiles, serverLabel: string): ChatCompletionMessageParam[] {
  const context: Context = { files, serverLabel, ledger: createToolCallLedger() };
  const messages: ChatCompletionMessageParam[] = [];
  if (request.systemInstruction !== undefined) {
    const system = systemText(request.systemInstruction, serverLabel);
    if (system !== '') messages.push({ role: 'system', content: system });
  }
  const { contents } = request;
  for (let index = 0; index < contents.length; index++) {
    const content = contents[index] ?? {};
    const role = content.role ?? 'user';
    if (role === 'model') {
      const assistant = assistantMessage(content, index, context);
      if (assistant !== undefined) messages.push(assistant);
    } else if (role === 'user' || role === 'function') {
      addUserMessages(messages, content, index, context);
    } else {
      throw invalidRequest(`contents[${index}].role must be 'user' or 'model', got '${role}'`);
    }
  }
  return messages;
}

/** Names a part in errors; `contentIndex` undefined means systemInstruction. Built only when needed. */
function partPath(contentIndex: number | undefined, partIndex: number): string {
  return contentIndex === undefined ? `systemInstruction.parts[${partIndex}]` : `contents[${contentIndex}].parts[${partIndex}]`;
}

function systemText(instruction: Content, serverLabel: string): string {
  const parts = instruction.parts ?? [];
  let text: string | undefined;
  for (let partIndex = 0; partIndex < parts.length; partIndex++) {
    const part = parts[partIndex] ?? {};
    const kind = kindOf(part, undefined, partIndex, serverLabel);
    if (kind === 'text') text = text === undefined ? (part.text ?? '') : `${text}\n${part.text ?? ''}`;
    else if (kind !== 'ignored') {
      throw invalidRequest(`${partPath(undefined, partIndex)}: only text is supported in systemInstruction by the OpenAI-compatible backend (${serverLabel})`);
    }
  }
  return text ?? '';
}

function addUserMessages(messages: ChatCompletionMessageParam[], content: Content, index: number, context: Context): void {
  const parts = content.parts ?? [];
  const contentParts: ChatCompletionContentPart[] = [];
  let isTextOnly = true;
  for (let partIndex = 0; partIndex < parts.length; partIndex++) {
    const part = parts[partIndex] ?? {};
    switch (kindOf(part, index, partIndex, context.serverLabel)) {
      case 'text':
        contentParts.push({ type: 'text', text: part.text ?? '' });
        break;
      case 'inlineData': {
        const media = toMediaPart(part.inlineData?.mimeType ?? '', part.inlineData?.data ?? '', partPath(index, partIndex), context.serverLabel);
        isTextOnly &&= media.type === 'text';
        contentParts.push(media);
        break;
      }
      case 'fileData': {
        const media = filePart(part, partPath(index, partIndex), context);
        isTextOnly &&= media.type === 'text';
        contentParts.push(media);
        break;
      }
      case 'functionResponse':
        // Tool messages go first: they must follow the assistant message whose calls they answer.
        messages.push(toolMessage(part, partPath(index, partIndex), context));
        break;
      case 'functionCall':
        throw invalidRequest(`${partPath(index, partIndex)}: functionCall parts belong in a 'model' turn`);
      case 'ignored':
        break;
    }
  }
  if (contentParts.length === 0) return;
  messages.push({ role: 'user', content: isTextOnly ? joinTexts(contentParts, '\n') : contentParts });
}

function assistantMessage(content: Content, index: number, context: Context): ChatCompletionAssistantMessageParam | undefined {
  context.ledger.startTurn();
  const parts = content.parts ?? [];
  let text: string | undefined;
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (let partIndex = 0; partIndex < parts.length; partIndex++) {
    const part = parts[partIndex] ?? {};
    const kind = kindOf(part, index, partIndex, context.serverLabel);
    if (kind === 'text') {
      text = (text ?? '') + (part.text ?? '');
    } else if (kind === 'functionCall') {
      const functionCall = part.functionCall ?? {};
      if (functionCall.name === undefined || functionCall.name === '') throw invalidRequest(`${partPath(index, partIndex)}.functionCall.name is required`);
      const id = context.ledger.call(functionCall);
      toolCalls.push({ id, type: 'function', function: { name: functionCall.name, arguments: JSON.stringify(functionCall.args ?? {}) } });
    } else if (kind !== 'ignored') {
      throw invalidRequest(`${partPath(index, partIndex)}: ${kind} parts in a 'model' turn cannot be sent to the OpenAI-compatible backend (${context.serverLabel})`);
    }
  }
  if (text === undefined && toolCalls.length === 0) return undefined;
  const message: ChatCompletionAssistantMessageParam = { role: 'assistant', content: text ?? null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** The text of text-only content parts, joined. */
function joinTexts(parts: readonly ChatCompletionContentPart[], separator: string): string {
  let text = '';
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    if (index > 0) text += separator;
    if (part?.type === 'text') text += part.text;
  }
  return text;
}

function filePart(part: Part, where: string, context: Context): ChatCompletionContentPart {
  const uri = part.fileData?.fileUri;
  const file = uri === undefined ? undefined : context.files.get(uri);
  if (file === undefined) throw invalidRequest(`${where}.fileData.fileUri is required`);
  return toMediaPart(part.fileData?.mimeType ?? file.mimeType, file.data, where, context.serverLabel);
}

function toolMessage(part: Part, where: string, context: Context): ChatCompletionToolMessageParam {
  const functionResponse: NonNullable<Part['functionResponse']> & { parts?: unknown } = part.functionResponse ?? {};
  if (functionResponse.parts !== undefined) throw unsupportedFeature(`${where}.functionResponse.parts`, context.serverLabel);
  const toolCallId = context.ledger.answer(functionResponse, where);
  return { role: 'tool', tool_call_id: toolCallId, content: JSON.stringify(functionResponse.response ?? {}) };
}

/** What a part carries; throws INVALID_ARGUMENT for kinds no chat message can hold. */
function kindOf(part: Part, contentIndex: number | undefined, partIndex: number, serverLabel: string): PartKind {
  if (part.thought === true) return 'ignored';
  if (typeof part.text === 'string') return 'text';
  if (part.inlineData !== undefined) return 'inlineData';
  if (part.fileData !== undefined) return 'fileData';
  if (part.functionCall !== undefined) return 'functionCall';
  if (part.functionResponse !== undefined) return 'functionResponse';
  for (const field of Object.keys(part)) {
    if (!IGNORED_PART_FIELDS.has(field) && part[field] !== undefined) throw unsupportedFeature(`${partPath(contentIndex, partIndex)}.${field}`, serverLabel);
  }
  return 'ignored';
}

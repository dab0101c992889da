/**
 * What a strict OpenAI-compatible server checks in a request body, for the fake server: the
 * top-level keys must be among those `ChatCompletionCreateParams` / `EmbeddingCreateParams`
 * declare (the key lists are checked against the openai package's types, so a typo or a key
 * OpenAI does not know fails here), required fields present, roles valid, content parts well
 * formed, every `tool` message answering a `tool_calls` id of the assistant message before it,
 * tool_choice naming a declared tool, numbers in the ranges OpenAI documents.
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';

type KeyList<T> = { readonly [K in keyof Required<T>]: true };

/** Every key of ChatCompletionCreateParams (the compiler fails when the openai types gain or lose one). */
const CHAT_KEYS: KeyList<ChatCompletionCreateParamsNonStreaming> = {
  messages: true, model: true, audio: true, frequency_penalty: true, function_call: true, functions: true, logit_bias: true,
  logprobs: true, max_completion_tokens: true, max_tokens: true, metadata: true, modalities: true, n: true,
  parallel_tool_calls: true, prediction: true, presence_penalty: true, prompt_cache_key: true, prompt_cache_retention: true,
  reasoning_effort: true, response_format: true, safety_identifier: true, seed: true, service_tier: true, stop: true,
  store: true, stream: true, stream_options: true, temperature: true, tool_choice: true, tools: true, top_logprobs: true,
  top_p: true, user: true, verbosity: true, web_search_options: true,
};

/** Non-OpenAI sampling keys that vLLM, SGLang, llama.cpp and Ollama accept. */
const EXTENSION_KEYS = new Set(['top_k']);

const EMBEDDING_KEYS: KeyList<EmbeddingCreateParams> = { input: true, model: true, dimensions: true, encoding_format: true, user: true };

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** The problems in a `POST /chat/completions` body; empty when it is valid. */
export function validateChatRequest(body: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(body)) return ['the body is not a JSON object'];
  for (const key of Object.keys(body)) if (!Object.hasOwn(CHAT_KEYS, key) && !EXTENSION_KEYS.has(key)) problems.push(`unknown key ${key}`);
  if (typeof body.model !== 'string' || body.model === '') problems.push('model is required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) problems.push('messages must be a non-empty list');
  else checkMessages(body.messages, problems);
  checkNumber(body, 'temperature', 0, 2, false, problems);
  checkNumber(body, 'top_p', 0, 1, false, problems);
  checkNumber(body, 'top_k', -1, Number.MAX_SAFE_INTEGER, true, problems);
  checkNumber(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true, problems);
  checkNumber(body, 'n', 1, 128, true, problems);
  checkNumber(body, 'presence_penalty', -2, 2, false, problems);
  checkNumber(body, 'frequency_penalty', -2, 2, false, problems);
  checkNumber(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true, problems);
  checkNumber(body, 'top_logprobs', 0, 20, true, problems);
  if (body.top_logprobs !== undefined && body.logprobs !== true) problems.push('top_logprobs requires logprobs: true');
  if (body.logprobs !== undefined && typeof body.logprobs !== 'boolean') problems.push('logprobs must be a boolean');
  if (body.stop !== undefined && typeof body.stop !== 'string' && !(Array.isArray(body.stop) && body.stop.every((stop) => typeof stop === 'string'))) {
    problems.push('stop must be a string or a list of strings');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') problems.push('stream must be a boolean');
  if (body.stream_options !== undefined && (body.stream !== true || !isRecord(body.stream_options))) problems.push('stream_options is only allowed with stream: true');
  checkResponseFormat(body.response_format, problems);
  checkTools(body.tools, body.tool_choice, problems);
  return problems;
}

/** The problems in a `POST /embeddings` body; empty when it is valid. */
export function validateEmbeddingRequest(body: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(body)) return ['the body is not a JSON object'];
  for (const key of Object.keys(body)) if (!Object.hasOwn(EMBEDDING_KEYS, key)) problems.push(`unknown key ${key}`);
  if (typeof body.model !== 'string' || body.model === '') problems.push('model is required');
  const { input } = body;
  const isInput = (typeof input === 'string' && input !== '') || (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string'));
  if (!isInput) problems.push('input must be a non-empty string or list of strings');
  checkNumber(body, 'dimensions', 1, 65_536, true, problems);
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') problems.push('encoding_format must be float or base64');
  return problems;
}

function checkMessages(messages: unknown[], problems: string[]): void {
  let openCalls = new Set<string>();
  messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    if (!isRecord(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      problems.push(`${where}.role must be one of ${[...ROLES].join(', ')}`);
      return;
    }
    const { role, content } = message;
    if (role === 'tool') {
      if (typeof message.tool_call_id !== 'string' || !openCalls.has(message.tool_call_id)) {
        problems.push(`${where}: tool_call_id ${String(message.tool_call_id)} answers no tool_calls id of the assistant message before it`);
      } else {
        openCalls.delete(message.tool_call_id);
      }
      if (!isTextContent(content)) problems.push(`${where}.content must be a string or text parts`);
      return;
    }
    openCalls = new Set();
    if (role === 'assistant') {
      const toolCalls = message.tool_calls;
      if (toolCalls !== undefined) checkToolCalls(toolCalls, where, openCalls, problems);
      const hasCalls = Array.isArray(toolCalls) && toolCalls.length > 0;
      if (content === null || content === undefined) {
        if (!hasCalls) problems.push(`${where}: an assistant message needs content or tool_calls`);
      } else if (!isTextContent(content)) {
        problems.push(`${where}.content must be a string or text parts`);
      }
      return;
    }
    if (role === 'user') checkUserContent(content, where, problems);
    else if (!isTextContent(content)) problems.push(`${where}.content must be a string or text parts`);
  });
}

function checkToolCalls(toolCalls: unknown, where: string, openCalls: Set<string>, problems: string[]): void {
  if (!Array.isArray(toolCalls)) {
    problems.push(`${where}.tool_calls must be a list`);
    return;
  }
  toolCalls.forEach((call, index) => {
    const at = `${where}.tool_calls[${index}]`;
    if (!isRecord(call) || typeof call.id !== 'string' || call.type !== 'function' || !isRecord(call.function)) {
      problems.push(`${at} must be {id, type: 'function', function}`);
      return;
    }
    if (openCalls.has(call.id)) problems.push(`${at}.id ${call.id} is used twice`);
    openCalls.add(call.id);
    const { name, arguments: args } = call.function;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) problems.push(`${at}.function.name is invalid`);
    if (typeof args !== 'string' || !isJsonObjectText(args)) problems.push(`${at}.function.arguments must be a JSON object as a string`);
  });
}

function checkUserContent(content: unknown, where: string, problems: string[]): void {
  if (typeof content === 'string') return;
  if (!Array.isArray(content) || content.length === 0) {
    problems.push(`${where}.content must be a string or a non-empty list of parts`);
    return;
  }
  content.forEach((part, index) => {
    const at = `${where}.content[${index}]`;
    if (!isRecord(part)) problems.push(`${at} is not an object`);
    else if (part.type === 'text') {
      if (typeof part.text !== 'string') problems.push(`${at}.text must be a string`);
    } else if (part.type === 'image_url') {
      const url = isRecord(part.image_url) ? part.image_url.url : undefined;
      if (typeof url !== 'string' || !/^(data:image\/[\w.+-]+;base64,[A-Za-z0-9+/=]+|https?:\/\/)/.test(url)) problems.push(`${at}.image_url.url must be an image data URL or http(s) URL`);
    } else if (part.type === 'input_audio') {
      const audio = isRecord(part.input_audio) ? part.input_audio : {};
      if (typeof audio.data !== 'string' || (audio.format !== 'wav' && audio.format !== 'mp3')) problems.push(`${at}.input_audio must be {data, format: wav|mp3}`);
    } else {
      problems.push(`${at}.type ${String(part.type)} is not a content part type`);
    }
  });
}

function checkResponseFormat(format: unknown, problems: string[]): void {
  if (format === undefined) return;
  if (!isRecord(format)) {
    problems.push('response_format must be an object');
    return;
  }
  if (format.type === 'text' || format.type === 'json_object') return;
  if (format.type !== 'json_schema') {
    problems.push(`response_format.type ${String(format.type)} is unknown`);
    return;
  }
  const schema = format.json_schema;
  if (!isRecord(schema) || typeof schema.name !== 'string' || !NAME_PATTERN.test(schema.name)) problems.push('response_format.json_schema.name is required');
  else if (schema.schema !== undefined && !isRecord(schema.schema)) problems.push('response_format.json_schema.schema must be an object');
}

function checkTools(tools: unknown, toolChoice: unknown, problems: string[]): void {
  const names = new Set<string>();
  if (tools !== undefined) {
    if (!Array.isArray(tools)) problems.push('tools must be a list');
    else {
      tools.forEach((tool, index) => {
        const fn = isRecord(tool) && tool.type === 'function' && isRecord(tool.function) ? tool.function : undefined;
        if (fn === undefined || typeof fn.name !== 'string' || !NAME_PATTERN.test(fn.name)) problems.push(`tools[${index}] must be a function with a valid name`);
        else if (fn.parameters !== undefined && !isRecord(fn.parameters)) problems.push(`tools[${index}].function.parameters must be an object`);
        else names.add(fn.name);
      });
    }
  }
  if (toolChoice === undefined) return;
  if (tools === undefined) problems.push('tool_choice is only allowed with tools');
  if (toolChoice === 'none' || toolChoice === 'auto' || toolChoice === 'required') return;
  const named = isRecord(toolChoice) && toolChoice.type === 'function' && isRecord(toolChoice.function) ? toolChoice.function.name : undefined;
  if (typeof named !== 'string' || !names.has(named)) problems.push('tool_choice must be none, auto, required or name a declared function');
}

function checkNumber(body: Record<string, unknown>, key: string, min: number, max: number, isInteger: boolean, problems: string[]): void {
  const value = body[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || value < min || value > max || (isInteger && !Number.isInteger(value))) {
    problems.push(`${key} must be ${isInteger ? 'an integer' : 'a number'} in [${min}, ${max}]`);
  }
}

function isTextContent(content: unknown): boolean {
  return typeof content === 'string' || (Array.isArray(content) && content.every((part) => isRecord(part) && part.type === 'text' && typeof part.text === 'string'));
}

function isJsonObjectText(text: string): boolean {
  try {
    return isRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

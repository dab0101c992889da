/**
 * A `POST /chat/completions` body → the Gemini GenerateContentRequest the engine runs, with the
 * model (a `models/` prefix removed) and the streaming switches as sent.
 *
 * messages → systemInstruction + contents (chat-messages.ts), tools / tool_choice → tools +
 * toolConfig (chat-tools.ts), sampling, response_format and reasoning → generationConfig
 * (chat-generation-config.ts), service_tier → serviceTier (`flex` and `priority` as they are,
 * `default` → `standard`; `auto` and others: none). Unknown top-level fields are ignored, as are
 * those with no Gemini meaning (user, metadata, store, parallel_tool_calls, logit_bias,
 * prediction, modalities, audio, …); a known field of the wrong type or out of range is refused
 * with an OpenAIInputError naming it.
 */
import type { GenerateContentRequest } from '../core/gemini-types.js';
import { chatMessagesToContents } from './chat-messages.js';
import { chatToolsToGemini } from './chat-tools.js';
import { generationConfigOf } from './chat-generation-config.js';
import { modelOf } from './model-param.js';
import { OpenAIInputError } from './openai-input-error.js';
import { isRecord, optionalBoolean, optionalRecord } from './read-fields.js';

/** A translated chat request. */
export interface TranslatedChatRequest {
  /** The model id without `models/`. */
  model: string;
  request: GenerateContentRequest;
  stream: boolean;
  /** `stream_options.include_usage`. */
  includeUsage: boolean;
}

/** OpenAI's `service_tier` values with a Gemini counterpart. */
const OPENAI_SERVICE_TIERS: Readonly<Record<string, string>> = { flex: 'flex', priority: 'priority', default: 'standard' };

/** Translates a chat completions body. Throws OpenAIInputError. */
export function chatRequestToGemini(body: unknown): TranslatedChatRequest {
  if (!isRecord(body)) throw new OpenAIInputError('The request body must be a JSON object.', { code: 'invalid_type' });
  const model = modelOf(body.model, 'model');
  const { systemInstruction, contents } = chatMessagesToContents(body.messages);
  const request: GenerateContentRequest = { contents };
  if (systemInstruction !== undefined) request.systemInstruction = systemInstruction;
  Object.assign(request, chatToolsToGemini(body));
  const generationConfig = generationConfigOf(body);
  if (generationConfig !== undefined) request.generationConfig = generationConfig;
  const serviceTier = OPENAI_SERVICE_TIERS[String(body.service_tier)];
  if (serviceTier !== undefined) request.serviceTier = serviceTier;
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  const streamOptions = optionalRecord(body.stream_options, 'stream_options');
  const includeUsage = optionalBoolean(streamOptions?.include_usage, 'stream_options.include_usage') ?? false;
  return { model, request, stream, includeUsage };
}

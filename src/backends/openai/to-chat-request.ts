/**
 * A Gemini GenerateContentRequest → the body of `POST /chat/completions`, plus what reading the
 * answer needs to know.
 *
 * generationConfig: temperature, topP → top_p, topK → top_k (not OpenAI's, sent only when set:
 * vLLM, SGLang, llama.cpp and Ollama honour it), maxOutputTokens → max_tokens (not
 * max_completion_tokens: every OpenAI-compatible server reads max_tokens, and OpenAI still
 * accepts it for non-reasoning models), stopSequences → stop, candidateCount → n,
 * presencePenalty / frequencyPenalty / seed, responseLogprobs → logprobs and logprobs →
 * top_logprobs, structured output → response_format (see to-response-format.ts).
 * thinkingConfig.includeThoughts makes the server's reasoning text come back as thought parts;
 * thinkingBudget / thinkingLevel are ignored (no portable equivalent). responseModalities other
 * than TEXT are refused (servers answer with text only).
 *
 * Request fields ignored on purpose: safetySettings (no per-request safety settings on these
 * servers), labels (billing metadata), serviceTier and store (Gemini-side options),
 * mediaResolution, model (the call's model decides). Refused: cachedContent (there is no cache
 * to read it from) and every tool other than function declarations (see to-chat-tools.ts).
 */
import type { GenerateContentRequest, GenerationConfig } from '../../core/gemini-types.js';
import { unsupportedFeature } from './invalid-request.js';
import type { ChatRequestBody } from '../../openai-compat/openai-wire-types.js';
import type { ResolvedFiles } from './resolve-file-parts.js';
import { toChatMessages } from './to-chat-messages.js';
import { toChatTools } from './to-chat-tools.js';
import { toResponseFormat } from './to-response-format.js';

/** How to read the answer of a translated request. */
export interface ResponsePlan {
  /** The answer is a JSON string holding an enum value (`text/x.enum`). */
  isEnum: boolean;
  /** Return the server's reasoning text as thought parts (`thinkingConfig.includeThoughts`). */
  includeThoughts: boolean;
}

/** A translated request. */
export interface ChatRequest {
  body: ChatRequestBody;
  plan: ResponsePlan;
}

/** Translates `request` for upstream model `model`. Throws INVALID_ARGUMENT (a BackendError) for what cannot be sent. */
export function toChatRequest(request: GenerateContentRequest, model: string, files: ResolvedFiles, serverLabel: string): ChatRequest {
  if (request.cachedContent !== undefined) throw unsupportedFeature('cachedContent', serverLabel);
  const body: ChatRequestBody = { model, messages: toChatMessages(request, files, serverLabel), ...toChatTools(request, serverLabel) };
  const config = request.generationConfig;
  if (config === undefined) return { body, plan: { isEnum: false, includeThoughts: false } };
  applySampling(body, config, serverLabel);
  const format = toResponseFormat(config);
  if (format.responseFormat !== undefined) body.response_format = format.responseFormat;
  return { body, plan: { isEnum: format.isEnum, includeThoughts: config.thinkingConfig?.includeThoughts === true } };
}

function applySampling(body: ChatRequestBody, config: GenerationConfig, serverLabel: string): void {
  if (config.temperature !== undefined) body.temperature = config.temperature;
  if (config.topP !== undefined) body.top_p = config.topP;
  if (config.topK !== undefined) body.top_k = config.topK;
  if (config.maxOutputTokens !== undefined) body.max_tokens = config.maxOutputTokens;
  if (config.stopSequences !== undefined && config.stopSequences.length > 0) body.stop = config.stopSequences;
  if (config.candidateCount !== undefined) body.n = config.candidateCount;
  if (config.presencePenalty !== undefined) body.presence_penalty = config.presencePenalty;
  if (config.frequencyPenalty !== undefined) body.frequency_penalty = config.frequencyPenalty;
  if (config.seed !== undefined) body.seed = config.seed;
  if (config.responseLogprobs === true) {
    body.logprobs = true;
    if (typeof config.logprobs === 'number') body.top_logprobs = config.logprobs;
  }
  const modalities: unknown = config.responseModalities;
  if (Array.isArray(modalities)) {
    const other: unknown = (modalities as unknown[]).find((modality) => String(modality).toUpperCase() !== 'TEXT');
    if (other !== undefined) throw unsupportedFeature(`generationConfig.responseModalities ${JSON.stringify(other)}`, serverLabel);
  }
}

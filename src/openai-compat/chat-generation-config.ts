/**
 * A chat body's sampling and output fields → Gemini `generationConfig`:
 * temperature [0, 2], top_p [0, 1], max_completion_tokens (or the older max_tokens; the newer
 * wins when both are set) → maxOutputTokens, stop (a string or a list of strings) →
 * stopSequences, n → candidateCount, seed, presence_penalty / frequency_penalty [-2, 2],
 * logprobs → responseLogprobs and top_logprobs [0, 20] → logprobs (it needs logprobs: true, as
 * on OpenAI), reasoning_effort → thinkingConfig (reasoning-effort.ts), and response_format:
 * `text` → nothing, `json_object` → responseMimeType application/json, `json_schema` →
 * application/json with its `schema` as responseJsonSchema (`name`, `strict` and `description`
 * have no Gemini field). Unset fields are left out; so is the whole config when none is set.
 */
import type { GenerationConfig } from '../core/gemini-types.js';
import { invalidType, invalidValue, missingParameter } from './openai-input-error.js';
import { optionalBoolean, optionalEnum, optionalInteger, optionalNumber, optionalRecord, requiredRecord } from './read-fields.js';
import { thinkingConfigOf } from './reasoning-effort.js';

/** The generation config a chat body asks for; undefined when it sets nothing. Throws OpenAIInputError. */
export function generationConfigOf(body: Record<string, unknown>): GenerationConfig | undefined {
  const config: GenerationConfig = {};
  set(config, 'temperature', optionalNumber(body.temperature, 'temperature', { min: 0, max: 2 }));
  set(config, 'topP', optionalNumber(body.top_p, 'top_p', { min: 0, max: 1 }));
  const maxTokens = optionalInteger(body.max_tokens, 'max_tokens', { min: 1 });
  set(config, 'maxOutputTokens', optionalInteger(body.max_completion_tokens, 'max_completion_tokens', { min: 1 }) ?? maxTokens);
  set(config, 'stopSequences', stopOf(body.stop));
  set(config, 'candidateCount', optionalInteger(body.n, 'n', { min: 1 }));
  set(config, 'seed', optionalInteger(body.seed, 'seed'));
  set(config, 'presencePenalty', optionalNumber(body.presence_penalty, 'presence_penalty', { min: -2, max: 2 }));
  set(config, 'frequencyPenalty', optionalNumber(body.frequency_penalty, 'frequency_penalty', { min: -2, max: 2 }));
  const logprobs = optionalBoolean(body.logprobs, 'logprobs');
  const topLogprobs = optionalInteger(body.top_logprobs, 'top_logprobs', { min: 0, max: 20 });
  if (topLogprobs !== undefined && logprobs !== true) throw invalidValue('top_logprobs', 'logprobs must be set to true when top_logprobs is used.');
  if (logprobs === true) config.responseLogprobs = true;
  set(config, 'logprobs', topLogprobs);
  set(config, 'thinkingConfig', thinkingConfigOf(body));
  Object.assign(config, responseFormatOf(body.response_format));
  return Object.keys(config).length > 0 ? config : undefined;
}

function set<K extends keyof GenerationConfig>(config: GenerationConfig, key: K, value: GenerationConfig[K] | undefined): void {
  if (value !== undefined) config[key] = value;
}

function stopOf(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (!Array.isArray(stop) || !stop.every((item) => typeof item === 'string')) throw invalidType('stop', 'a string or an array of strings', stop);
  return stop.length > 0 ? stop : undefined;
}

function responseFormatOf(value: unknown): Pick<GenerationConfig, 'responseMimeType' | 'responseJsonSchema'> {
  const format = optionalRecord(value, 'response_format');
  if (format === undefined) return {};
  const type = optionalEnum(format.type, 'response_format.type', ['text', 'json_object', 'json_schema'] as const);
  if (type === undefined) throw missingParameter('response_format.type');
  if (type === 'text') return {};
  if (type === 'json_object') return { responseMimeType: 'application/json' };
  const jsonSchema = requiredRecord(format.json_schema, 'response_format.json_schema');
  const schema = optionalRecord(jsonSchema.schema, 'response_format.json_schema.schema');
  return schema === undefined ? { responseMimeType: 'application/json' } : { responseMimeType: 'application/json', responseJsonSchema: schema };
}

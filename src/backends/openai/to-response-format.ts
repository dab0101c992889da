/**
 * Gemini structured output → chat `response_format`.
 *
 * - `application/json` with `responseJsonSchema` (sent as it is) or `responseSchema` (converted
 *   from Gemini's OpenAPI style) → `json_schema` named `response`, not `strict` (OpenAI's strict
 *   mode demands every property required and no extra properties, which Gemini schemas need not
 *   say; vLLM and SGLang enforce the schema by guided decoding either way).
 * - `application/json` without a schema → `json_object`.
 * - `text/x.enum` with an `enum` schema → `json_schema` of a string enum; the answer, a JSON
 *   string, is unwrapped back to the bare value (see `unwrapEnumText`).
 * - `text/plain` or unset → nothing. A schema without a JSON or enum MIME type is refused, as
 *   Gemini refuses it; so is any other MIME type.
 */
import type { ResponseFormatJSONObject, ResponseFormatJSONSchema } from 'openai/resources/shared';
import type { GenerationConfig } from '../../core/gemini-types.js';
import { invalidRequest } from './invalid-request.js';
import { toJsonSchema } from './to-json-schema.js';

/** The response format to request, and whether the answer is an enum value to unwrap. */
export interface ResponseFormatPlan {
  responseFormat?: ResponseFormatJSONObject | ResponseFormatJSONSchema;
  isEnum: boolean;
}

/** The response format `config` asks for. Throws INVALID_ARGUMENT for combinations Gemini refuses too. */
export function toResponseFormat(config: GenerationConfig): ResponseFormatPlan {
  const mimeType = config.responseMimeType?.toLowerCase();
  const jsonSchema = config.responseJsonSchema ?? config._responseJsonSchema;
  const schema = jsonSchema ?? (config.responseSchema === undefined ? undefined : toJsonSchema(config.responseSchema));
  if (mimeType === undefined || mimeType === '' || mimeType === 'text/plain') {
    if (schema !== undefined) throw invalidRequest('generationConfig.responseMimeType must be application/json or text/x.enum when a response schema is set');
    return { isEnum: false };
  }
  if (mimeType === 'application/json') {
    if (schema === undefined) return { responseFormat: { type: 'json_object' }, isEnum: false };
    if (!isObject(schema)) throw invalidRequest('generationConfig.responseJsonSchema must be a JSON Schema object');
    return { responseFormat: { type: 'json_schema', json_schema: { name: 'response', schema } }, isEnum: false };
  }
  if (mimeType === 'text/x.enum') {
    const listed = isObject(schema) ? schema.enum : undefined;
    const values = Array.isArray(listed) ? listed.filter((value) => typeof value === 'string') : [];
    if (values.length === 0) throw invalidRequest('generationConfig.responseMimeType text/x.enum needs a response schema with enum values');
    return { responseFormat: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'string', enum: values } } }, isEnum: true };
  }
  throw invalidRequest(`generationConfig.responseMimeType ${config.responseMimeType ?? ''} is not supported; use text/plain, application/json or text/x.enum`);
}

/** The bare enum value of an answer produced under a string-enum schema (`"red"` → `red`). */
export function unwrapEnumText(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : text;
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

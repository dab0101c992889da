/**
 * One line of an OpenAI batch input file, `{custom_id, method, url, body}`, checked and
 * translated into the engine's native input line `{key, request}` (key = custom_id).
 *
 * - The line must be a JSON object (a byte order mark is allowed, nesting as deep as the native
 *   lines allow): code `invalid_json`.
 * - `custom_id`: a non-empty string. `method`: `POST` (`invalid_method`). `url`: the batch's
 *   endpoint, spelled `/v1/chat/completions` as OpenAI does or on Google's root
 *   `/v1beta/openai/chat/completions` (`invalid_url`). Other fields are ignored.
 * - `body`: an object translated as the interactive endpoint translates it
 *   (chatRequestToGemini, embeddingsRequestToGemini), `model` required; errors name
 *   `body.<field>`. A batch runs each request once, whole: `stream: true` is refused. An
 *   embeddings line embeds one input (one result per line): `input` is a string or a
 *   one-element array.
 * Duplicate custom_ids and the lines' models agreeing are checked by the caller, which sees
 * every line.
 */
import type { EmbedContentRequest, GenerateContentRequest } from '../core/gemini-types.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/json-depth.js';
import { chatRequestToGemini } from './chat-request.js';
import { embeddingsRequestToGemini } from './embeddings-request.js';
import { urlNamesEndpoint, type OpenAIEndpoint } from './endpoints.js';
import { invalidType, invalidValue, OpenAIInputError } from './openai-input-error.js';
import { isRecord, requiredRecord, requiredString } from './read-fields.js';

/** A translated input line. */
export interface OpenAIBatchLine {
  customId: string;
  /** The body's model, without `models/`. */
  model: string;
  /** The engine's native input line. */
  native: { key: string; request: GenerateContentRequest | EmbedContentRequest };
}

const BYTE_ORDER_MARK = 0xfeff;

/** Parses and translates one line for a batch on `endpoint`. Throws OpenAIInputError. */
export function parseOpenAIBatchLine(text: string, endpoint: OpenAIEndpoint): OpenAIBatchLine {
  const line = parseJson(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text);
  const customId = requiredString(line.custom_id, 'custom_id');
  const method = requiredString(line.method, 'method');
  if (method !== 'POST') throw new OpenAIInputError(`Invalid 'method': only POST is supported, got '${method}'.`, { param: 'method', code: 'invalid_method' });
  const url = requiredString(line.url, 'url');
  if (!urlNamesEndpoint(url, endpoint)) {
    throw new OpenAIInputError(`Invalid 'url': '${url}' does not match the batch's endpoint '${endpoint}'; every line must use it.`, { param: 'url', code: 'invalid_url' });
  }
  const body = requiredRecord(line.body, 'body');
  try {
    return endpoint === '/v1/chat/completions' ? chatLine(customId, body) : embeddingsLine(customId, body);
  } catch (error) {
    throw error instanceof OpenAIInputError ? inBody(error) : error;
  }
}

function chatLine(customId: string, body: Record<string, unknown>): OpenAIBatchLine {
  const { model, request, stream } = chatRequestToGemini(body);
  if (stream) throw invalidValue('stream', 'streaming is not supported in a batch; leave stream unset or false.');
  return { customId, model, native: { key: customId, request } };
}

function embeddingsLine(customId: string, body: Record<string, unknown>): OpenAIBatchLine {
  const { input } = body;
  if (Array.isArray(input) && input.length !== 1) {
    throw invalidValue('input', `a batch line embeds one input (one result per line), but this input has ${input.length}; send a string or a one-element array, one line per text.`);
  }
  const { model, requests } = embeddingsRequestToGemini(body);
  const [request] = requests as [EmbedContentRequest];
  return { customId, model, native: { key: customId, request } };
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new OpenAIInputError(`The line is not valid JSON: ${detail}`, { code: 'invalid_json' });
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw new OpenAIInputError(`The line's JSON nests deeper than ${MAX_JSON_DEPTH} levels.`, { code: 'invalid_json' });
  if (!isRecord(value)) throw new OpenAIInputError(invalidType('line', 'a JSON object', value).message, { code: 'invalid_json' });
  return value;
}

/** The same error with its param under `body.` (the body's model is `body.model`). */
function inBody(error: OpenAIInputError): OpenAIInputError {
  if (error.param === null) return error;
  const param = `body.${error.param}`;
  const message = error.message.split(`'${error.param}'`).join(`'${param}'`);
  return new OpenAIInputError(message, { param, code: error.code, status: error.status, httpStatus: error.httpStatus });
}

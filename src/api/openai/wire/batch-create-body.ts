/**
 * The body of `POST /batches`: `input_file_id` (`files/abc` or `abc`), `endpoint`
 * (`/v1/chat/completions` or `/v1/embeddings`), `completion_window` and `metadata`. OpenAI takes
 * only `24h`; batchmode also takes any `<number>h` as the batch's completion window. Metadata is
 * OpenAI's: at most 16 string pairs, keys up to 64 characters, values up to 512. Fields OpenAI
 * defines but batchmode does not use (`output_expires_after`) are accepted and ignored.
 */
import { fileIdFromReference } from '../../../core/file.js';
import {
  invalidType, invalidValue, missingParameter, OPENAI_ENDPOINTS, OpenAIInputError, type OpenAIEndpoint,
} from '../../../openai-compat/index.js';

export interface BatchCreateBody {
  /** The file's id without `files/`. */
  fileId: string;
  /** As the client sent it. */
  inputFileId: string;
  endpoint: OpenAIEndpoint;
  completionWindow: string;
  completionWindowMs: number;
  metadata: Record<string, string> | undefined;
}

const HOUR_MS = 3_600_000;
const MAX_METADATA_PAIRS = 16;
const MAX_METADATA_KEY = 64;
const MAX_METADATA_VALUE = 512;
const KNOWN_FIELDS = new Set(['input_file_id', 'endpoint', 'completion_window', 'metadata', 'output_expires_after']);

function requiredString(body: Record<string, unknown>, param: string): string {
  const value = body[param];
  if (value === undefined || value === null) throw missingParameter(param);
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (value === '') throw invalidValue(param, 'expected a non-empty string.', 'empty_string');
  return value;
}

function parseWindow(value: string): number {
  const match = /^(\d+(?:\.\d+)?)h$/.exec(value);
  const ms = match ? Math.round(Number(match[1]) * HOUR_MS) : Number.NaN;
  if (!(ms > 0)) throw invalidValue('completion_window', `expected '24h' (batchmode also takes any number of hours, such as '48h'), got '${value.slice(0, 40)}'.`);
  return ms;
}

function parseMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidType('metadata', 'an object', value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_METADATA_PAIRS) throw invalidValue('metadata', `at most ${MAX_METADATA_PAIRS} key-value pairs are allowed, got ${entries.length}.`);
  const metadata: Record<string, string> = {};
  for (const [key, item] of entries) {
    const param = `metadata.${key.slice(0, MAX_METADATA_KEY + 1)}`;
    if (key.length > MAX_METADATA_KEY) throw invalidValue(param, `keys are at most ${MAX_METADATA_KEY} characters long.`, 'string_above_max_length');
    if (typeof item !== 'string') throw invalidType(param, 'a string', item);
    if (item.length > MAX_METADATA_VALUE) throw invalidValue(param, `values are at most ${MAX_METADATA_VALUE} characters long.`, 'string_above_max_length');
    metadata[key] = item;
  }
  return metadata;
}

export function parseBatchCreateBody(body: unknown): BatchCreateBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OpenAIInputError('The request body must be a JSON object.', { code: 'invalid_type' });
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !KNOWN_FIELDS.has(name));
  if (unknown !== undefined) throw new OpenAIInputError(`Unknown parameter: '${unknown.slice(0, 64)}'.`, { param: unknown.slice(0, 64), code: 'unknown_parameter' });
  const inputFileId = requiredString(fields, 'input_file_id');
  const endpoint = requiredString(fields, 'endpoint');
  if (!(OPENAI_ENDPOINTS as readonly string[]).includes(endpoint)) {
    throw invalidValue('endpoint', `batchmode runs batches for ${OPENAI_ENDPOINTS.map((name) => `'${name}'`).join(' and ')}, got '${endpoint.slice(0, 64)}'.`);
  }
  const completionWindow = requiredString(fields, 'completion_window');
  return {
    fileId: fileIdFromReference(inputFileId),
    inputFileId,
    endpoint: endpoint as OpenAIEndpoint,
    completionWindow,
    completionWindowMs: parseWindow(completionWindow),
    metadata: parseMetadata(fields.metadata),
  };
}

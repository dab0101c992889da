/**
 * One line of a batch input JSONL file (docs/wire-contract.md, batch input lines). Two shapes are accepted:
 * - the wrapper `{"key": "k1", "request": {...}, "metadata": {...}}`, recognised by its
 *   `request` field; `key` and `metadata` are optional;
 * - a bare request object, as the guide's REST sample uploads; it has no key, and position is
 *   the correlator.
 * The request is normalised to lowerCamelCase and validated; top-level config keys such as
 * `thinking_config` outside `generationConfig` are unknown fields, as on the real server.
 */
import type { EmbedContentRequest, GenerateContentRequest } from '../gemini-types.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../lib/json-depth.js';
import { normalizeMessage } from './normalize-message.js';
import { WireSchemaError } from './wire-schema-error.js';

/** Which request type the lines of a batch hold: `batchGenerateContent` or `asyncBatchEmbedContent`. */
export type BatchLineKind = 'generate' | 'embed';

/** A parsed, normalised input line. */
export interface BatchLine<TRequest = GenerateContentRequest | EmbedContentRequest> {
  /** The wrapper's `key`; absent for bare lines and for wrappers without one. */
  key?: string;
  /** The request with every known key in lowerCamelCase. */
  request: TRequest;
  /** The wrapper's `metadata`, verbatim. */
  metadata?: unknown;
}

const WRAPPER_FIELDS = new Set(['key', 'request', 'metadata']);
const BYTE_ORDER_MARK = 0xfeff;

/**
 * Parses and validates one input line (plain JSON, no lenient syntax); throws a
 * `WireSchemaError` describing the first problem. Callers skip blank lines themselves.
 */
export function parseBatchLine(text: string, kind: 'generate'): BatchLine<GenerateContentRequest>;
export function parseBatchLine(text: string, kind: 'embed'): BatchLine<EmbedContentRequest>;
export function parseBatchLine(text: string, kind: BatchLineKind): BatchLine;
export function parseBatchLine(text: string, kind: BatchLineKind): BatchLine {
  const line = parseJson(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text);
  if (typeof line !== 'object' || line === null || Array.isArray(line)) {
    throw new WireSchemaError('', 'invalid value', `each line must be a JSON object, got ${describeJsonType(line)}`);
  }
  const record = line as Record<string, unknown>;
  if (!Object.hasOwn(record, 'request')) return { request: normalizeRequest(record, kind, '') };

  for (const field in record) {
    if (!WRAPPER_FIELDS.has(field)) throw new WireSchemaError(field, 'unknown field', `no such field: '${field}'`);
  }
  if (record.request === null) throw new WireSchemaError('request', 'missing required field', "missing required field 'request'");
  const result: BatchLine = { request: normalizeRequest(record.request, kind, 'request') };
  const key = record.key;
  if (key !== undefined && key !== null) {
    if (typeof key !== 'string') {
      throw new WireSchemaError('key', 'invalid value', `'key' must be a string, got ${describeJsonType(key)}`);
    }
    result.key = key;
  }
  if (record.metadata !== undefined && record.metadata !== null) result.metadata = record.metadata;
  return result;
}

function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WireSchemaError('', 'invalid JSON', `invalid JSON: ${detail}`);
  }
  // Refused at create, where the line number is known, not when the request runs.
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new WireSchemaError('', 'invalid JSON', `JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

function normalizeRequest(value: unknown, kind: BatchLineKind, path: string): GenerateContentRequest | EmbedContentRequest {
  if (kind === 'generate') {
    const request = normalizeMessage(value, 'GenerateContentRequest', path) as GenerateContentRequest;
    requireNonEmptyList(request.contents, 'contents', path);
    return request;
  }
  const request = normalizeMessage(value, 'EmbedContentRequest', path) as EmbedContentRequest;
  if (request.content === undefined) throw missingField('content', path);
  requireNonEmptyList(request.content.parts, 'content.parts', path);
  return request;
}

/** `list` has already passed the schema walk, so it is an array or absent. */
function requireNonEmptyList(list: unknown[] | undefined, name: string, path: string): void {
  if (list === undefined) throw missingField(name, path);
  if (list.length === 0) throw new WireSchemaError(joinPath(path, name), 'empty field', `'${name}' must not be empty`);
}

const missingField = (name: string, path: string): WireSchemaError =>
  new WireSchemaError(joinPath(path, name), 'missing required field', `missing required field '${name}'`);

const joinPath = (parent: string, name: string): string => (parent === '' ? name : `${parent}.${name}`);

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `${typeof value} ${JSON.stringify(value)}`;
}

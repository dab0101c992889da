/**
 * The bodies of `POST /v1beta/cachedContents` (a CachedContent resource: `model`, `displayName`,
 * `contents`, `systemInstruction`, `tools`, `toolConfig`, and `ttl` or `expireTime`) and of
 * `PATCH /v1beta/cachedContents/{id}` (`ttl` or `expireTime`, named by `updateMask` or, as the
 * SDKs send no mask, found in the body). Top-level keys in either casing; the prefix's messages
 * are validated by the table-driven validator; output-only fields sent back are ignored; anything
 * else is a 400 naming the field.
 */
import type { CacheCreate, CacheExpiry } from '../../caches/index.js';
import { MAX_CACHE_DISPLAY_NAME_LENGTH, parseDuration, parseTimestamp, type CachedPrefix } from '../../core/cached-content.js';
import { invalidArgument } from '../../core/errors.js';
import type { Content, Tool } from '../../core/gemini-types.js';
import { normalizeMessage } from '../../core/wire-schema/normalize-message.js';
import { snakeToCamel } from './normalize-keys.js';

const INPUT_FIELDS = new Set(['model', 'displayName', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'ttl', 'expireTime']);
const OUTPUT_ONLY = new Set(['name', 'createTime', 'updateTime', 'usageMetadata']);

/** The body's top-level fields under their camelCase names; unknown ones refused by name. */
function topLevel(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidArgument('The request body must be a CachedContent resource, a JSON object.');
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = snakeToCamel(key);
    if (OUTPUT_ONLY.has(name)) continue;
    if (!INPUT_FIELDS.has(name)) throw invalidArgument(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
    if (value !== null && value !== undefined) fields[name] = value;
  }
  return fields;
}

function expiryOf(fields: Record<string, unknown>): CacheExpiry | undefined {
  if (fields.ttl !== undefined && fields.expireTime !== undefined) {
    throw invalidArgument('Set either ttl or expireTime, not both.');
  }
  if (fields.ttl !== undefined) return { ttlMs: parseDuration(fields.ttl, 'ttl') };
  if (fields.expireTime !== undefined) return { expireTimeMs: parseTimestamp(fields.expireTime, 'expireTime') };
  return undefined;
}

/** A create body; `defaultTtlMs` applies when it sets neither ttl nor expireTime. */
export function parseCacheCreateBody(body: unknown, defaultTtlMs: number): CacheCreate {
  const fields = topLevel(body);
  if (typeof fields.model !== 'string' || fields.model.trim() === '') throw invalidArgument("missing required field 'model'");
  const displayName = fields.displayName ?? '';
  if (typeof displayName !== 'string') throw invalidArgument(`displayName must be a string, got ${JSON.stringify(displayName)}.`);
  if (displayName.length > MAX_CACHE_DISPLAY_NAME_LENGTH) {
    throw invalidArgument(`displayName is longer than ${MAX_CACHE_DISPLAY_NAME_LENGTH} characters.`);
  }
  const prefix: CachedPrefix = {};
  if (fields.contents !== undefined) {
    if (!Array.isArray(fields.contents)) throw invalidArgument("Invalid value at 'contents': a list of Content is expected.");
    prefix.contents = fields.contents.map((content, index) => normalizeMessage(content, 'Content', `contents[${index}]`) as Content);
  }
  if (fields.systemInstruction !== undefined) {
    prefix.systemInstruction = normalizeMessage(fields.systemInstruction, 'Content', 'systemInstruction') as Content;
  }
  if (fields.tools !== undefined) {
    if (!Array.isArray(fields.tools)) throw invalidArgument("Invalid value at 'tools': a list of Tool is expected.");
    prefix.tools = fields.tools.map((tool, index) => normalizeMessage(tool, 'Tool', `tools[${index}]`) as Tool);
  }
  if (fields.toolConfig !== undefined) {
    prefix.toolConfig = normalizeMessage(fields.toolConfig, 'ToolConfig', 'toolConfig') as CachedPrefix['toolConfig'];
  }
  return { model: fields.model.trim(), displayName, prefix, expiry: expiryOf(fields) ?? { ttlMs: defaultTtlMs } };
}

/** A PATCH body with its `updateMask` (`ttl`, `expireTime`, or absent). */
export function parseCacheUpdateBody(body: unknown, url: URL): CacheExpiry {
  const fields = topLevel(body);
  const mask = url.searchParams.get('updateMask') ?? url.searchParams.get('update_mask');
  if (mask !== null && mask.trim() !== '') {
    const named = mask.split(',').map((part) => snakeToCamel(part.trim()));
    for (const name of named) {
      if (name !== 'ttl' && name !== 'expireTime') {
        throw invalidArgument(`updateMask names '${name}', which cannot be updated: only ttl and expireTime can.`);
      }
    }
    for (const name of ['ttl', 'expireTime']) if (!named.includes(name)) delete fields[name];
  }
  for (const name of ['model', 'displayName', 'contents', 'systemInstruction', 'tools', 'toolConfig']) {
    if (fields[name] !== undefined) throw invalidArgument(`${name} cannot be updated: only ttl and expireTime can.`);
  }
  const expiry = expiryOf(fields);
  if (!expiry) throw invalidArgument('Nothing to update: set ttl or expireTime in the body.');
  return expiry;
}

/**
 * A request's prefix key: a short hash of the part of its prompt that other requests may share,
 * so that a worker can send requests with the same leading prefix to the backend close together
 * and a server-side prefix cache (vLLM, SGLang) stays warm (worker/prefix-window.ts).
 *
 * The leading prefix of a generate request is, in prompt order: the `cachedContent` it names,
 * `systemInstruction`, `tools`, `toolConfig`, every content but the last, and every part of the
 * last content but its last part (with that content's role). A request where all of these are
 * empty or absent (a single-part prompt, the common case) has no key, and getting that answer
 * serializes nothing. Embed requests have no key. Two requests get the same key when those
 * pieces serialize to the same JSON (key order included: lines are normalised by the parser).
 */
import { createHash } from 'node:crypto';
import type { Content, GenerateContentRequest, EmbedContentRequest } from './gemini-types.js';
import type { BatchLineKind } from './wire-schema/request-lines.js';

/** Characters of the base64url SHA-1 kept: 96 bits, collisions only cost grouping. */
const KEY_LENGTH = 16;

export function prefixKey(request: GenerateContentRequest | EmbedContentRequest, kind: BatchLineKind): string | undefined {
  if (kind !== 'generate') return undefined;
  const { cachedContent, systemInstruction, tools, toolConfig, contents } = request as GenerateContentRequest;
  const last = contents.at(-1);
  const leadingParts = last?.parts && last.parts.length > 1 ? last.parts.slice(0, -1) : undefined;
  const hasPrefix =
    (typeof cachedContent === 'string' && cachedContent !== '')
    || hasParts(systemInstruction)
    || (Array.isArray(tools) && tools.length > 0)
    || isNonEmptyObject(toolConfig)
    || contents.length > 1
    || leadingParts !== undefined;
  if (!hasPrefix) return undefined;
  const pieces = [
    cachedContent || null,
    hasParts(systemInstruction) ? systemInstruction : null,
    tools?.length ? tools : null,
    isNonEmptyObject(toolConfig) ? toolConfig : null,
    contents.slice(0, -1),
    leadingParts ? { role: last?.role ?? null, parts: leadingParts } : null,
  ];
  return createHash('sha1').update(JSON.stringify(pieces)).digest('base64url').slice(0, KEY_LENGTH);
}

function hasParts(content: Content | undefined): boolean {
  return content?.parts !== undefined && content.parts.length > 0;
}

function isNonEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const _field in value) return true;
  return false;
}

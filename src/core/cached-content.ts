/**
 * The CachedContent resource as batchmode keeps it (issue 16): a prompt prefix (system
 * instruction, contents, tools, tool config) one tenant stored once to reuse in many requests,
 * with its model, an estimated token count and an expiry. Also the wire forms of its lifetime:
 * `ttl` as a proto Duration string (`"3600s"`) and `expireTime` as an RFC 3339 timestamp.
 */
import { AppError, invalidArgument } from './errors.js';
import type { Content, GenerateContentRequest, Tool } from './gemini-types.js';

/** The cached prefix: what a request naming the cache gets in front of its own fields. */
export interface CachedPrefix {
  systemInstruction?: Content;
  contents?: Content[];
  tools?: Tool[];
  toolConfig?: GenerateContentRequest['toolConfig'];
}

export interface CachedContentRecord {
  /** The id without the `cachedContents/` prefix. */
  id: string;
  tenantId: string;
  /** The model id, without `models/`. */
  model: string;
  displayName: string;
  prefix: CachedPrefix;
  /** Estimated tokens of the prefix (core/token-estimate.ts): `usageMetadata.totalTokenCount`. */
  totalTokenCount: number;
  createTimeMs: number;
  updateTimeMs: number;
  expireTimeMs: number;
}

export const CACHED_CONTENT_PREFIX = 'cachedContents/';
/** Gemini's default lifetime of a cache created without `ttl` or `expireTime`. */
export const DEFAULT_CACHE_TTL_MS = 3_600_000;
export const MAX_CACHE_DISPLAY_NAME_LENGTH = 128;

/**
 * Gemini's answer for a cache that is unknown, another tenant's, or expired: 403, the same for
 * all three, so that ids cannot be probed (as for files).
 */
export const cachedContentNotFound = (): AppError =>
  new AppError('PERMISSION_DENIED', 'CachedContent not found (or permission denied)');

/** The id in `cachedContents/<id>` (or a bare id); undefined when it is not one. */
export function cachedContentIdOf(name: string): string | undefined {
  const id = name.startsWith(CACHED_CONTENT_PREFIX) ? name.slice(CACHED_CONTENT_PREFIX.length) : name;
  return /^[a-z0-9-]{1,63}$/.test(id) ? id : undefined;
}

/** A proto Duration in JSON (`"3600s"`, `"1.5s"`) as milliseconds; `field` names it in the 400. */
export function parseDuration(value: unknown, field: string): number {
  const match = typeof value === 'string' ? /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(value.trim()) : null;
  if (!match) throw invalidArgument(`${field} must be a duration in seconds such as "3600s", got ${JSON.stringify(value)}.`);
  const ms = Number(match[1]) * 1000 + Math.floor(Number(`0.${match[2] ?? '0'}`) * 1000);
  if (ms <= 0) throw invalidArgument(`${field} must be positive, got ${JSON.stringify(value)}.`);
  return ms;
}

/** An RFC 3339 timestamp (`2026-01-01T00:00:00Z`, any offset, fractions allowed) as epoch ms. */
export function parseTimestamp(value: unknown, field: string): number {
  const ok = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.test(value.trim());
  const ms = ok ? Date.parse(value.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidArgument(`${field} must be an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got ${JSON.stringify(value)}.`);
  return ms;
}

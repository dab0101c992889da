/**
 * `pageSize` / `pageToken` (camelCase as the SDKs send, snake_case accepted). Tokens are opaque
 * base64url keyset positions. The last page carries no token at all: an empty string would make
 * the JS SDK's pager loop forever.
 */
import { invalidArgument } from '../../core/errors.js';
import type { ListCursor } from '../../store/store.js';

export function parsePageSize(url: URL, defaults: { pageSize: number; maxPageSize: number }): number {
  const raw = url.searchParams.get('pageSize') ?? url.searchParams.get('page_size');
  if (raw === null || raw === '') return defaults.pageSize;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 0) throw invalidArgument(`pageSize must be a non-negative integer, got '${raw}'.`);
  if (size === 0) return defaults.pageSize;
  return Math.min(size, defaults.maxPageSize);
}

export function parsePageToken(url: URL): ListCursor | undefined {
  const raw = url.searchParams.get('pageToken') ?? url.searchParams.get('page_token');
  if (raw === null || raw === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(decoded) && typeof decoded[0] === 'number' && typeof decoded[1] === 'string') {
      return { createTimeMs: decoded[0], id: decoded[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidArgument(`Invalid pageToken '${raw}': pass the nextPageToken of the previous page unchanged.`);
}

export function encodePageToken(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createTimeMs, cursor.id])).toString('base64url');
}

/** Adds `nextPageToken` only when there is a next page. */
export function withNextPageToken<T extends object>(body: T, next: ListCursor | undefined): T & { nextPageToken?: string } {
  return next ? { ...body, nextPageToken: encodePageToken(next) } : body;
}

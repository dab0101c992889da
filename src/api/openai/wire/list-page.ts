/**
 * OpenAI's cursor pages: `?after=<id>&limit=<n>` in, `{object: 'list', data, first_id, last_id,
 * has_more}` out. The SDKs' auto-pagination asks for the next page with `after` set to the last
 * item's id while `has_more` is true.
 */
import { invalidValue } from '../../../openai-compat/index.js';

export interface ListPageBody {
  object: 'list';
  data: Record<string, unknown>[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** `limit` between 1 and `max`, `fallback` when absent. */
export function parseLimit(url: URL, bounds: { fallback: number; max: number }): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return bounds.fallback;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > bounds.max) {
    throw invalidValue('limit', `expected an integer between 1 and ${bounds.max}, got '${raw.slice(0, 20)}'.`);
  }
  return limit;
}

/** The `after` cursor, an id as the list returned it (empty means none). */
export function parseAfter(url: URL): string | undefined {
  const raw = url.searchParams.get('after');
  return raw === null || raw === '' ? undefined : raw;
}

export function toListPage(data: Record<string, unknown>[], hasMore: boolean): ListPageBody {
  const id = (item: Record<string, unknown> | undefined): string | null => (typeof item?.id === 'string' ? item.id : null);
  return { object: 'list', data, first_id: id(data[0]), last_id: id(data[data.length - 1]), has_more: hasMore };
}

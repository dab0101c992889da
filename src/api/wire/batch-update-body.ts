/**
 * The body and mask of `PATCH /v1beta/batches/{id}:updateGenerateContentBatch` (and
 * `:updateEmbedContentBatch`): a batch resource, bare or under `batch`, in any casing, with
 * `updateMask` (or `update_mask`) naming the fields to set. Only `priority` (int64, negative
 * allowed) and `displayName` are updatable; a mask naming anything else is refused. Without a
 * mask, the updatable fields present in the body are set (the lenient reading, as for
 * cachedContents, whose SDK sends none).
 */
import { invalidArgument } from '../../core/errors.js';
import type { BatchUpdate } from '../../store/store.js';
import { normalizeKeys, snakeToCamel } from './normalize-keys.js';

const UPDATABLE = ['priority', 'displayName'] as const;
type Updatable = (typeof UPDATABLE)[number];
const MAX_DISPLAY_NAME = 512;

export function parseBatchUpdate(body: unknown, url: URL): BatchUpdate {
  const normalized = normalizeKeys(body);
  if (normalized === null || typeof normalized !== 'object' || Array.isArray(normalized)) {
    throw invalidArgument('The request body must be a batch resource, a JSON object.');
  }
  const outer = normalized as Record<string, unknown>;
  const resource = (typeof outer.batch === 'object' && outer.batch !== null ? outer.batch : outer) as Record<string, unknown>;
  const fields = maskFields(url) ?? UPDATABLE.filter((field) => resource[field] !== undefined);
  if (fields.length === 0) {
    throw invalidArgument('Nothing to update: set priority or displayName in the body (and name them in updateMask).');
  }
  const update: BatchUpdate = {};
  for (const field of fields) {
    if (field === 'priority') update.priority = parsePriority(resource.priority);
    else update.displayName = parseDisplayName(resource.displayName);
  }
  return update;
}

/** The mask's fields, or undefined when no mask was sent. */
function maskFields(url: URL): Updatable[] | undefined {
  const raw = url.searchParams.get('updateMask') ?? url.searchParams.get('update_mask');
  if (raw === null || raw.trim() === '') return undefined;
  const fields = new Set<Updatable>();
  for (const part of raw.split(',')) {
    const name = snakeToCamel(part.trim().replace(/^batch\./, ''));
    if (!(UPDATABLE as readonly string[]).includes(name)) {
      throw invalidArgument(`updateMask names '${part.trim()}', which cannot be updated: only priority and displayName can.`);
    }
    fields.add(name as Updatable);
  }
  return [...fields];
}

/** A missing priority in a masked update resets it to the default, 0 (proto3 field mask semantics). */
function parsePriority(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d{1,18}$/.test(text.trim())) {
    throw invalidArgument(`batch.priority must be an integer (int64, as a string or number), got ${JSON.stringify(value)}.`);
  }
  const priority = Number(text.trim());
  if (!Number.isSafeInteger(priority)) throw invalidArgument(`batch.priority ${text} is out of range.`);
  return priority;
}

function parseDisplayName(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalidArgument(`batch.displayName must be a string, got ${JSON.stringify(value)}.`);
  if (value.length > MAX_DISPLAY_NAME) throw invalidArgument(`batch.displayName is longer than ${MAX_DISPLAY_NAME} characters.`);
  return value;
}

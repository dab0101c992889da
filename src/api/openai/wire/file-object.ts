/**
 * FileRecord → OpenAI's File object `{id, object: 'file', bytes, created_at, filename, purpose,
 * status, expires_at, status_details}`. Ids are Google's (`files/<id>`), times Unix seconds.
 *
 * batchmode does not store a purpose: files the engine generated (batch outputs and error files)
 * report `batch_output`, every other file `batch`, whatever purpose it was uploaded with (one
 * store serves both APIs, and the native Files API has no purpose at all).
 */
import type { FileRecord } from '../../../core/file.js';

export type StoredPurpose = 'batch' | 'batch_output';

/** The purposes an upload may name (`batch_output` is the engine's alone). */
export const UPLOAD_PURPOSES: readonly string[] = ['batch', 'user_data', 'fine-tune', 'assistants', 'vision', 'evals'];

export const purposeOf = (file: FileRecord): StoredPurpose => (file.source === 'GENERATED' ? 'batch_output' : 'batch');

export const unixSeconds = (epochMs: number): number => Math.floor(epochMs / 1000);

export function toOpenAIFile(file: FileRecord): Record<string, unknown> {
  return {
    id: `files/${file.id}`,
    object: 'file',
    bytes: file.sizeBytes,
    created_at: unixSeconds(file.createTimeMs),
    filename: file.displayName || file.id,
    purpose: purposeOf(file),
    status: 'processed',
    expires_at: unixSeconds(file.expirationTimeMs),
    status_details: null,
  };
}

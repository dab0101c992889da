/**
 * The `{file: {...}}` body of an upload start, a multipart upload's metadata part, and a
 * metadata-only create. Keys are normalised to camelCase first; output-only File fields that
 * clients echo back are tolerated and ignored; anything else is refused by name.
 */
import { z } from 'zod';
import { invalidArgument } from '../../core/errors.js';
import { normalizeKeys } from './normalize-keys.js';

const int64 = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

const fileFields = z.strictObject({
  name: z.string().optional(),
  displayName: z.string().optional(),
  mimeType: z.string().optional(),
  sizeBytes: int64.optional(),
  // Output-only fields a client may send back unchanged; ignored.
  createTime: z.unknown().optional(), updateTime: z.unknown().optional(), expirationTime: z.unknown().optional(),
  sha256Hash: z.unknown().optional(), uri: z.unknown().optional(), downloadUri: z.unknown().optional(),
  state: z.unknown().optional(), source: z.unknown().optional(), error: z.unknown().optional(),
  videoMetadata: z.unknown().optional(),
});

const createFileBody = z.strictObject({ file: fileFields.optional() });

export type FileMetadataInput = z.output<typeof fileFields>;

/** Validates a (lenient-parsed) body; the error names the offending field. */
export function parseFileMetadataBody(body: unknown): FileMetadataInput {
  const parsed = createFileBody.safeParse(normalizeKeys(body));
  if (!parsed.success) throw invalidArgument(describeZodError(parsed.error));
  return parsed.data.file ?? {};
}

/** "Invalid JSON payload received. Unknown name "x" at 'file': …" in Google's style. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const at = issue.path.length > 0 ? ` at '${issue.path.join('.')}'` : '';
      if (issue.code === 'unrecognized_keys') {
        return `Invalid JSON payload received. Unknown name ${issue.keys.map((key) => `"${key}"`).join(', ')}${at}: Cannot find field.`;
      }
      return `Invalid value${at}: ${issue.message}`;
    })
    .join('\n');
}

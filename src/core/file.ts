/**
 * The File resource as batchmode keeps it. A file is owned by one tenant; its bytes live in
 * the blob store under `blobKey`. States follow the Gemini API: text and JSONL files are
 * ACTIVE as soon as their upload is finalized.
 */
import { invalidArgument } from './errors.js';

export const FILE_STATES = ['STATE_UNSPECIFIED', 'PROCESSING', 'ACTIVE', 'FAILED'] as const;
export type FileState = (typeof FILE_STATES)[number];

export const FILE_SOURCES = ['SOURCE_UNSPECIFIED', 'UPLOADED', 'GENERATED', 'REGISTERED'] as const;
export type FileSource = (typeof FILE_SOURCES)[number];

/** The Gemini Files API limit on one file. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024;
export const MAX_DISPLAY_NAME_LENGTH = 512;

export interface FileRecord {
  /** The id without the `files/` prefix. */
  id: string;
  tenantId: string;
  displayName: string;
  mimeType: string;
  sizeBytes: number;
  /** Hex SHA-256 of the bytes; empty until the upload is finalized. */
  sha256Hex: string;
  state: FileState;
  source: FileSource;
  /** Where the bytes are in the blob store. */
  blobKey: string;
  createTimeMs: number;
  updateTimeMs: number;
  expirationTimeMs: number;
}

/** Gemini's words for a missing or foreign file (403, so that ids cannot be probed). */
export const fileAccessDeniedMessage = (fileId: string): string =>
  `You do not have permission to access the File ${fileId} or it may not exist.`;

/** Client-chosen file ids: ≤ 40 chars of `[a-z0-9-]`, no leading or trailing dash (Gemini's rule). */
const CLIENT_FILE_ID = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** Validates an id a client asked for (`files/x` or `x`) and returns it without the prefix. */
export function parseClientFileId(name: string): string {
  const id = name.startsWith('files/') ? name.slice('files/'.length) : name;
  if (!CLIENT_FILE_ID.test(id)) {
    throw invalidArgument(
      `Invalid file name '${name}': the id must be 1 to 40 lowercase letters, digits or dashes, and may not start or end with a dash.`,
    );
  }
  return id;
}

/**
 * Turns what a client put in a path or a `fileUri` into a file id: accepts `files/<id>`, a bare
 * `<id>`, or any URL whose path ends in `files/<id>` (what `File.uri` looks like).
 */
export function fileIdFromReference(reference: string): string {
  const match = /(?:^|\/)files\/([^/?#:]+)(?::download)?(?:[?#].*)?$/.exec(reference);
  return match?.[1] ?? reference;
}

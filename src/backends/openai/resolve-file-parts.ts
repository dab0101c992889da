/**
 * Fetches the bytes behind every `fileData` part of a request before translation, once per
 * distinct URI and concurrently, through the caller's resolver (the backend cannot read the
 * Files API store itself). Requests without `fileData` pay nothing.
 */
import { RPC_STATUS, type RpcStatusName } from '../../core/errors.js';
import type { Content, GenerateContentRequest } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';
import { cancelledError } from '../cancelled-error.js';
import { invalidRequest } from './invalid-request.js';

/** A resolved file: its stored MIME type and its whole content. */
export interface ResolvedFile {
  mimeType: string;
  data: Buffer;
}

/** Reads the file a `fileData.fileUri` points at; supplied by whoever creates the backend. */
export type ResolveFile = (fileUri: string, signal: AbortSignal) => Promise<ResolvedFile>;

/** Resolved files by URI. */
export type ResolvedFiles = ReadonlyMap<string, ResolvedFile>;

/** The resolved files of a request without fileData. */
export const NO_FILES: ResolvedFiles = new Map();

/** Whether `request` has fileData parts (a cheap check: most requests have none). */
export function hasFileParts(request: GenerateContentRequest): boolean {
  if (hasFilePart(request.systemInstruction)) return true;
  for (const content of request.contents) if (hasFilePart(content)) return true;
  return false;
}

function hasFilePart(content: Content | undefined): boolean {
  for (const part of content?.parts ?? []) if (part.fileData !== undefined) return true;
  return false;
}

/**
 * Resolves the files `request` refers to. Resolver failures keep a BackendError as it is and the
 * status of any error carrying a google.rpc status name (an AppError), not retried; anything
 * else becomes INTERNAL, not retried.
 */
export async function resolveFileParts(
  request: GenerateContentRequest,
  resolveFile: ResolveFile | undefined,
  signal: AbortSignal,
  serverLabel: string,
): Promise<ResolvedFiles> {
  const uris = new Set<string>();
  collectFileUris(request.systemInstruction, uris);
  for (const content of request.contents) collectFileUris(content, uris);
  if (uris.size === 0) return NO_FILES;
  if (resolveFile === undefined) {
    throw invalidRequest(`fileData parts cannot be sent to the OpenAI-compatible backend (${serverLabel}): no file resolver is configured`);
  }
  const entries = await Promise.all(
    [...uris].map(async (uri): Promise<[string, ResolvedFile]> => {
      try {
        return [uri, await resolveFile(uri, signal)];
      } catch (error) {
        throw resolverError(error, uri, signal);
      }
    }),
  );
  return new Map(entries);
}

function collectFileUris(content: Content | undefined, uris: Set<string>): void {
  for (const part of content?.parts ?? []) {
    const uri = part.fileData?.fileUri;
    if (uri !== undefined) uris.add(uri);
  }
}

function resolverError(error: unknown, uri: string, signal: AbortSignal): BackendError {
  if (signal.aborted) return cancelledError(signal);
  if (error instanceof BackendError) return error;
  const message = `cannot read ${uri}: ${error instanceof Error ? error.message : String(error)}`;
  const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
  if (isRpcStatusName(status)) return new BackendError(message, { status, retryable: false, cause: error });
  return new BackendError(message, { status: 'INTERNAL', retryable: false, cause: error });
}

function isRpcStatusName(value: unknown): value is RpcStatusName {
  return typeof value === 'string' && Object.hasOwn(RPC_STATUS, value);
}

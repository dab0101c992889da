/**
 * `POST /upload/v1beta/files`: Google's upload front end (docs/wire-contract.md, resumable upload).
 *
 * - `x-goog-upload-protocol: resumable` + `x-goog-upload-command: start` opens an upload and
 *   answers with `x-goog-upload-url`. The same path with `?upload_id=…` takes the chunks
 *   (`upload`, `upload, finalize`, `finalize`, `query`, `cancel`). The upload id is their
 *   credential: Python and curl send no API key there. A key that is sent must be the owner's.
 * - `multipart` (header, or `?uploadType=multipart`): metadata + bytes in one request.
 * - `raw` / `?uploadType=media`: the body is the file.
 *
 * Upload bodies are never parsed as JSON, whatever their content-type says (the SDKs send
 * `application/json` on binary chunks).
 */
import type { IncomingMessage } from 'node:http';
import { invalidArgument, notFound } from '../core/errors.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { UploadService } from '../files/upload-service.js';
import { parseLenientJson } from '../lib/lenient-json.js';
import { apiKeyOf, authenticate } from './auth.js';
import { header, readJsonBody, sendJson, type RouteContext } from './http.js';
import { boundaryOf, readMultipartRelated } from './multipart-related.js';
import type { Route } from './router.js';
import { parseFileMetadataBody, type FileMetadataInput } from './wire/file-metadata.js';
import { toWireFile } from './wire/file-resource.js';

export interface UploadRoutesDeps {
  uploads: UploadService;
  keys: KeyRing;
  maxJsonBodyBytes: number;
}

/** Google's chunk granularity; the SDKs send 8 MiB chunks. */
const CHUNK_GRANULARITY = String(8 * 1024 * 1024);

export function uploadRoutes(deps: UploadRoutesDeps): Route[] {
  const { uploads } = deps;

  const declaredSize = (request: IncomingMessage, metadata: FileMetadataInput): number | undefined => {
    const fromHeader = header(request, 'x-goog-upload-header-content-length');
    if (fromHeader !== undefined && fromHeader !== '') {
      if (!/^\d+$/.test(fromHeader)) throw invalidArgument(`X-Goog-Upload-Header-Content-Length must be a byte count, got '${fromHeader}'.`);
      return Number(fromHeader);
    }
    return metadata.sizeBytes;
  };

  const newFileMetadata = (context: RouteContext, metadata: FileMetadataInput, tenantId: string, fallbackType?: string) => ({
    tenantId,
    requestedName: metadata.name,
    displayName: metadata.displayName,
    mimeType: metadata.mimeType || header(context.request, 'x-goog-upload-header-content-type') || fallbackType,
    declaredSizeBytes: declaredSize(context.request, metadata),
  });

  const start = async (context: RouteContext, tenantId: string): Promise<void> => {
    const metadata = parseFileMetadataBody(await readJsonBody(context.request, deps.maxJsonBodyBytes));
    const session = await uploads.start(newFileMetadata(context, metadata, tenantId));
    const uploadUrl = `${context.publicBase}/upload/v1beta/files?upload_id=${session.uploadId}&upload_protocol=resumable`;
    context.response.writeHead(200, {
      'x-goog-upload-url': uploadUrl,
      'x-goog-upload-control-url': uploadUrl,
      'x-goog-upload-status': 'active',
      'x-goog-upload-chunk-granularity': CHUNK_GRANULARITY,
      'content-length': '0',
    });
    context.response.end();
  };

  const chunk = async (context: RouteContext, uploadId: string): Promise<void> => {
    const { request, response, url, publicBase } = context;
    const session = await uploads.query(uploadId);
    if (apiKeyOf(request, url) !== undefined && authenticate(request, url, deps.keys) !== session.tenantId) {
      throw notFound('No upload with this id is in progress: it finished, was cancelled, or expired.');
    }
    const commands = (header(request, 'x-goog-upload-command') ?? 'upload').toLowerCase().split(',').map((word) => word.trim());
    const sendStatus = (status: string, receivedBytes: number): void => {
      response.writeHead(200, { 'x-goog-upload-status': status, 'x-goog-upload-size-received': String(receivedBytes), 'content-length': '0' });
      response.end();
    };
    if (commands.includes('query')) return sendStatus('active', session.receivedBytes);
    if (commands.includes('cancel')) {
      await uploads.cancel(uploadId);
      return sendStatus('cancelled', session.receivedBytes);
    }
    const finalize = commands.includes('finalize');
    if (!commands.includes('upload')) {
      if (!finalize) throw invalidArgument(`Unknown X-Goog-Upload-Command '${commands.join(', ')}'.`);
      const file = await uploads.finalize(uploadId);
      return sendJson(response, 200, { file: toWireFile(file, publicBase) }, { 'x-goog-upload-status': 'final' });
    }
    const offsetHeader = header(request, 'x-goog-upload-offset');
    if (offsetHeader !== undefined && !/^\d+$/.test(offsetHeader)) throw invalidArgument(`X-Goog-Upload-Offset must be a byte offset, got '${offsetHeader}'.`);
    const offset = offsetHeader === undefined ? session.receivedBytes : Number(offsetHeader);
    const result = await uploads.appendChunk(uploadId, { offset, body: request, finalize });
    if (result.status === 'final') {
      return sendJson(response, 200, { file: toWireFile(result.file, publicBase) }, { 'x-goog-upload-status': 'final' });
    }
    return sendStatus('active', result.receivedBytes);
  };

  const multipart = async (context: RouteContext, tenantId: string): Promise<void> => {
    const upload = await readMultipartRelated(context.request, boundaryOf(header(context.request, 'content-type')));
    let metadataBody: unknown;
    try {
      metadataBody = upload.metadataText.trim() === '' ? {} : parseLenientJson(upload.metadataText);
    } catch {
      throw invalidArgument('Invalid JSON payload received in the metadata part of the multipart upload.');
    }
    const metadata = parseFileMetadataBody(metadataBody);
    const file = await uploads.uploadWhole(newFileMetadata(context, metadata, tenantId, upload.contentType), upload.content);
    sendJson(context.response, 200, { file: toWireFile(file, context.publicBase) });
  };

  const raw = async (context: RouteContext, tenantId: string): Promise<void> => {
    const file = await uploads.uploadWhole(
      {
        tenantId,
        mimeType: header(context.request, 'x-goog-upload-header-content-type') || header(context.request, 'content-type'),
        declaredSizeBytes: declaredSize(context.request, {}),
        displayName: header(context.request, 'x-goog-upload-file-name'),
      },
      context.request,
    );
    sendJson(context.response, 200, { file: toWireFile(file, context.publicBase) });
  };

  const handle = async (context: RouteContext): Promise<void> => {
    const { request, url } = context;
    const uploadId = url.searchParams.get('upload_id');
    if (uploadId) return chunk(context, uploadId);
    const tenantId = authenticate(request, url, deps.keys);
    const protocol = (header(request, 'x-goog-upload-protocol') ?? url.searchParams.get('uploadType') ?? '').toLowerCase();
    const command = (header(request, 'x-goog-upload-command') ?? '').toLowerCase();
    if (protocol === 'resumable') {
      if (command !== 'start') throw invalidArgument("A resumable upload begins with 'X-Goog-Upload-Command: start'.");
      return start(context, tenantId);
    }
    if (protocol === 'multipart') return multipart(context, tenantId);
    if (protocol === 'raw' || protocol === 'media') return raw(context, tenantId);
    throw invalidArgument(
      "Missing or unknown upload protocol: send 'X-Goog-Upload-Protocol: resumable' (or multipart, raw), or '?uploadType=multipart'.",
    );
  };

  // Authorisation happens inside: chunks are authorised by their upload id.
  return [{ methods: ['POST', 'PUT'], pattern: /^\/upload\/v1beta\/files$/, handler: handle, isPublic: true }];
}

/**
 * OpenAI's Files API on the one Files service: `POST /files` (multipart `file` + `purpose`,
 * streamed into the same whole-file upload as the native multipart upload, with its size
 * limits), `GET /files` (cursor pages), `GET /files/{id}`, `GET /files/{id}/content` (the bytes,
 * streamed) and `DELETE /files/{id}`. These are the very files the native Files API serves:
 * ids are Google's `files/<id>` (a bare `<id>` is accepted too), one tenant per key, and a file
 * of another tenant is a 404 like a missing one. Purposes: see wire/file-object.ts.
 */
import { finished } from 'node:stream/promises';
import { AppError } from '../../core/errors.js';
import type { FileRecord } from '../../core/file.js';
import type { FileService } from '../../files/file-service.js';
import type { UploadService } from '../../files/upload-service.js';
import type { Clock } from '../../lib/clock.js';
import { invalidValue, missingParameter, OpenAIInputError } from '../../openai-compat/index.js';
import type { FileRepository } from '../../store/store.js';
import { sendJson, streamTo, type RouteContext } from '../http.js';
import type { Route } from '../router.js';
import { listFilesPage } from './file-list.js';
import { receiveForm } from './form-upload.js';
import { bareId, idSegment, openAIPath } from './paths.js';
import { toOpenAIFile, UPLOAD_PURPOSES } from './wire/file-object.js';
import { parseAfter, parseLimit, toListPage } from './wire/list-page.js';

export interface OpenAIFilesRoutesDeps {
  files: FileService;
  uploads: UploadService;
  /** The store's file records, for OpenAI's listing (order, purpose, id cursors). */
  fileRecords: Pick<FileRepository, 'list'>;
  clock: Clock;
}

const FILE = idSegment('files', 'fileId');
const LIST_LIMIT = { fallback: 10_000, max: 10_000 };

const noSuchFile = (id: string, param: string | null = null): OpenAIInputError =>
  new OpenAIInputError(`No such File object: files/${id}`, { status: 'NOT_FOUND', param, code: null });

function checkPurpose(purpose: string | undefined): string {
  if (purpose === undefined) throw missingParameter('purpose');
  if (purpose === 'batch_output') throw invalidValue('purpose', "'batch_output' files are written by batches; upload input files with purpose 'batch'.");
  if (!UPLOAD_PURPOSES.includes(purpose)) {
    throw invalidValue('purpose', `expected one of ${UPLOAD_PURPOSES.map((name) => `'${name}'`).join(', ')}, got '${purpose.slice(0, 64)}'.`);
  }
  return purpose;
}

export function openAIFilesRoutes(deps: OpenAIFilesRoutesDeps): Route[] {
  const { files, uploads } = deps;

  /** The tenant's live file, or OpenAI's 404 (the Files service answers Gemini's 403). */
  const load = async (tenantId: string, id: string, param: string | null = null): Promise<FileRecord> => {
    try {
      return await files.get(tenantId, id);
    } catch (error) {
      if (error instanceof AppError && error.status === 'PERMISSION_DENIED') throw noSuchFile(id, param);
      throw error;
    }
  };

  const upload = async ({ request, response, tenantId }: RouteContext): Promise<void> => {
    const form = await receiveForm<FileRecord | undefined>(request, {
      consumeFile: async (file, fieldsSoFar) => {
        const early = fieldsSoFar.get('purpose');
        if (early !== undefined && (early === 'batch_output' || !UPLOAD_PURPOSES.includes(early))) {
          // Refused anyway: not stored at all.
          file.stream.resume();
          await finished(file.stream);
          return undefined;
        }
        return uploads.uploadWhole({ tenantId, displayName: file.filename || undefined, mimeType: file.mimeType }, file.stream);
      },
      abandon: async (record) => {
        if (record) await files.delete(tenantId, record.id).catch(() => undefined);
      },
    });
    try {
      checkPurpose(form.fields.get('purpose'));
      if (form.file === undefined) throw missingParameter('file');
    } catch (error) {
      if (form.file) await files.delete(tenantId, form.file.id).catch(() => undefined);
      throw error;
    }
    sendJson(response, 200, toOpenAIFile(form.file));
  };

  const list = async ({ response, url, tenantId }: RouteContext): Promise<void> => {
    const order = url.searchParams.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw invalidValue('order', `expected 'asc' or 'desc', got '${order.slice(0, 20)}'.`);
    const afterId = parseAfter(url);
    const after = afterId === undefined ? undefined : await load(tenantId, bareId('files', afterId), 'after');
    const purpose = url.searchParams.get('purpose') || undefined;
    const page = await listFilesPage(
      { files: deps.fileRecords, clock: deps.clock },
      {
        tenantId, limit: parseLimit(url, LIST_LIMIT), ascending: order === 'asc', purpose,
        after: after ? { createTimeMs: after.createTimeMs, id: after.id } : undefined,
      },
    );
    sendJson(response, 200, toListPage(page.files.map(toOpenAIFile), page.hasMore));
  };

  const content = async ({ response, params, tenantId }: RouteContext): Promise<void> => {
    const file = await load(tenantId, bareId('files', params.fileId));
    const headers = {
      'content-type': file.mimeType.includes('/') ? file.mimeType : 'application/octet-stream',
      'content-length': String(file.sizeBytes),
    };
    if (file.sizeBytes === 0) {
      response.writeHead(200, headers).end();
      return;
    }
    const bytes = await files.openContent(file);
    response.writeHead(200, headers);
    await streamTo(response, bytes);
  };

  const remove = async ({ response, params, tenantId }: RouteContext): Promise<void> => {
    const id = bareId('files', params.fileId);
    try {
      await files.delete(tenantId, id);
    } catch (error) {
      if (error instanceof AppError && error.status === 'PERMISSION_DENIED') throw noSuchFile(id);
      throw error;
    }
    sendJson(response, 200, { id: `files/${id}`, object: 'file', deleted: true });
  };

  const route = (methods: string[], path: string, handler: Route['handler']): Route => ({ methods, pattern: openAIPath(path), handler, surface: 'openai' });
  return [
    route(['POST'], 'files', upload),
    route(['GET'], 'files', list),
    route(['GET'], `files/${FILE}`, async ({ response, params, tenantId }) => {
      sendJson(response, 200, toOpenAIFile(await load(tenantId, bareId('files', params.fileId))));
    }),
    route(['DELETE'], `files/${FILE}`, remove),
    route(['GET'], `files/${FILE}/content`, content),
  ];
}

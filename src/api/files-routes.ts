/**
 * Files API routes (docs/wire-contract.md, Files API): get, list, delete, download on both URL forms, and the
 * metadata-only create. Uploads are in upload-routes.ts.
 */
import { Readable } from 'node:stream';
import { invalidArgument } from '../core/errors.js';
import type { FileService } from '../files/file-service.js';
import type { UploadService } from '../files/upload-service.js';
import type { ByteRange } from '../store/blob-store.js';
import { header, readJsonBody, sendJson, streamTo, type RouteContext } from './http.js';
import type { Route } from './router.js';
import { parseFileMetadataBody } from './wire/file-metadata.js';
import { toWireFile } from './wire/file-resource.js';
import { parsePageSize, parsePageToken, withNextPageToken } from './wire/pagination.js';

export interface FilesRoutesDeps {
  files: FileService;
  uploads: UploadService;
  maxJsonBodyBytes: number;
}

const FILE_ID = '(?<fileId>[^/:]+)';
const FILE_PAGES = { pageSize: 10, maxPageSize: 100 };

export function filesRoutes(deps: FilesRoutesDeps): Route[] {
  const download = async ({ request, response, params, tenantId }: RouteContext): Promise<void> => {
    const file = await deps.files.get(tenantId, params.fileId ?? '');
    const range = parseRange(header(request, 'range'), file.sizeBytes);
    const headers: Record<string, string> = {
      'content-type': file.mimeType.includes('/') ? file.mimeType : 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-goog-stored-content-length': String(file.sizeBytes),
    };
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${file.sizeBytes}`;
      headers['content-length'] = String(range.end - range.start + 1);
    } else {
      headers['content-length'] = String(file.sizeBytes);
    }
    if (file.sizeBytes === 0) {
      response.writeHead(200, headers).end();
      return;
    }
    const content = await deps.files.openContent(file, range);
    response.writeHead(range ? 206 : 200, headers);
    await streamTo(response, content);
  };

  return [
    {
      methods: ['GET'],
      pattern: /^\/v1beta\/files$/,
      handler: async ({ response, url, tenantId, publicBase }) => {
        const page = await deps.files.list(tenantId, parsePageSize(url, FILE_PAGES), parsePageToken(url));
        const files = page.files.map((file) => toWireFile(file, publicBase));
        sendJson(response, 200, withNextPageToken(files.length > 0 ? { files } : {}, page.next));
      },
    },
    {
      methods: ['POST'],
      pattern: /^\/v1beta\/files$/,
      handler: async ({ request, response, tenantId, publicBase }) => {
        const metadata = parseFileMetadataBody(await readJsonBody(request, deps.maxJsonBodyBytes));
        // A metadata-only create makes an empty file (bytes can only come with an upload).
        const file = await deps.uploads.uploadWhole(
          { tenantId, requestedName: metadata.name, displayName: metadata.displayName, mimeType: metadata.mimeType, declaredSizeBytes: 0 },
          Readable.from([]),
        );
        sendJson(response, 200, { file: toWireFile(file, publicBase) });
      },
    },
    {
      methods: ['GET'],
      pattern: new RegExp(`^/v1beta/files/${FILE_ID}$`),
      handler: async ({ response, params, tenantId, publicBase }) => {
        sendJson(response, 200, toWireFile(await deps.files.get(tenantId, params.fileId ?? ''), publicBase));
      },
    },
    {
      methods: ['DELETE'],
      pattern: new RegExp(`^/v1beta/files/${FILE_ID}$`),
      handler: async ({ response, params, tenantId }) => {
        await deps.files.delete(tenantId, params.fileId ?? '');
        sendJson(response, 200, {});
      },
    },
    { methods: ['GET'], pattern: new RegExp(`^/v1beta/files/${FILE_ID}:download$`), handler: download },
    { methods: ['GET'], pattern: new RegExp(`^/download/v1beta/files/${FILE_ID}:download$`), handler: download },
  ];
}

/** A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range, or undefined for the whole file. */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (!value) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) throw invalidArgument(`Unsupported Range header '${value}'.`);
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) {
    throw invalidArgument(`Range '${value}' is outside the file's ${size} bytes.`, { httpStatus: 416 });
  }
  return { start, end };
}

/**
 * The Files API's services built together: the file service (read, delete, retention sweep)
 * and the upload service share one in-memory upload state, so the sweep that removes an idle
 * upload from the store also forgets its running hash.
 */
import type { FileServiceDeps } from './file-deps.js';
import { createFileService, type FileService } from './file-service.js';
import { createUploadService, type UploadService } from './upload-service.js';
import { createUploadState } from './upload-state.js';

export function createFileServices(deps: FileServiceDeps): { files: FileService; uploads: UploadService } {
  const shared = { ...deps, uploadState: deps.uploadState ?? createUploadState(deps.clock) };
  return { files: createFileService(shared), uploads: createUploadService(shared) };
}

/**
 * A resumable upload in progress (Gemini's `x-goog-upload-protocol: resumable`). The upload id
 * is the credential for the chunk requests, so it is long and random. Bytes are staged in the
 * blob store under `stagingKey` and become a File when the client sends `finalize`.
 */
export interface UploadSession {
  uploadId: string;
  tenantId: string;
  /** The id the file will get. */
  fileId: string;
  displayName: string;
  mimeType: string;
  /** What the client declared at start (`X-Goog-Upload-Header-Content-Length`), if anything. */
  declaredSizeBytes: number | undefined;
  receivedBytes: number;
  stagingKey: string;
  createTimeMs: number;
  updateTimeMs: number;
}

/** Upload ids carry ~190 bits of randomness: they authorise chunk requests on their own. */
export const UPLOAD_ID_LENGTH = 37;

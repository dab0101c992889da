/**
 * Uploading a file from the browser through the resumable upload protocol
 * (docs/wire-contract.md, "Upload"): `start` with the key and the file's metadata, then chunks
 * of the server's granularity to the upload URL it answered (`upload`, and `upload, finalize`
 * for the last), reporting the bytes sent as they go. Chunks go through XMLHttpRequest because
 * fetch cannot report upload progress.
 */
import { ApiError, apiErrorOf } from './api.js';

const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * @param {{ key: string, blob: Blob, displayName: string, mimeType: string,
 *           onProgress?: (sent: number, total: number) => void }} options
 * @returns {Promise<{ name: string }>} the File resource
 */
export async function uploadFile({ key, blob, displayName, mimeType, onProgress = () => {} }) {
  const start = await fetch('upload/v1beta/files', {
    method: 'POST',
    headers: {
      'x-goog-api-key': key,
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-length': String(blob.size),
      'x-goog-upload-header-content-type': mimeType,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ file: { displayName } }),
  });
  if (!start.ok) throw await apiErrorOf(start);
  const uploadUrl = start.headers.get('x-goog-upload-url');
  if (!uploadUrl) throw new ApiError(start.status, 'INTERNAL', 'The server did not answer an upload URL.');
  const chunkBytes = Number(start.headers.get('x-goog-upload-chunk-granularity')) || DEFAULT_CHUNK_BYTES;

  onProgress(0, blob.size);
  for (let offset = 0; ; offset += chunkBytes) {
    const end = Math.min(offset + chunkBytes, blob.size);
    const last = end === blob.size;
    const answer = await sendChunk(uploadUrl, key, blob.slice(offset, end), offset, last, (sent) => onProgress(offset + sent, blob.size));
    if (last) return JSON.parse(answer).file;
  }
}

/** One chunk; resolves the answer's body text. */
function sendChunk(url, key, chunk, offset, last, onSent) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('x-goog-api-key', key);
    request.setRequestHeader('x-goog-upload-command', last ? 'upload, finalize' : 'upload');
    request.setRequestHeader('x-goog-upload-offset', String(offset));
    request.upload.onprogress = (event) => onSent(event.loaded);
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        onSent(chunk.size);
        resolve(request.responseText);
        return;
      }
      apiErrorOf(new Response(request.responseText, { status: request.status })).then(reject, reject);
    };
    request.onerror = () => reject(new ApiError(0, 'UNAVAILABLE', 'The upload was interrupted.'));
    request.send(chunk);
  });
}

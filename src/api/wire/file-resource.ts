/**
 * FileRecord → the wire File resource, with Gemini's field names and types: `sizeBytes` is an
 * int64 string, times are RFC 3339, `sha256Hash` is base64 of the hex digest. `uri` is always
 * `https://…/v1beta/files/<id>`: the JS SDK uses an `http://` uri raw as a file name, so even a
 * plain-http server must hand out https uris (clients resolve them by the trailing id).
 */
import type { FileRecord } from '../../core/file.js';
import { toTimestamp } from '../../lib/clock.js';
import { sha256HashField } from '../../files/file-deps.js';

export interface WireFile {
  name: string;
  displayName?: string;
  mimeType: string;
  sizeBytes: string;
  createTime: string;
  updateTime: string;
  expirationTime: string;
  sha256Hash?: string;
  uri: string;
  downloadUri: string;
  state: string;
  source: string;
}

export function toWireFile(file: FileRecord, publicBase: string): WireFile {
  const httpsBase = publicBase.replace(/^http:/, 'https:');
  return {
    name: `files/${file.id}`,
    ...(file.displayName ? { displayName: file.displayName } : {}),
    mimeType: file.mimeType,
    sizeBytes: String(file.sizeBytes),
    createTime: toTimestamp(file.createTimeMs),
    updateTime: toTimestamp(file.updateTimeMs),
    expirationTime: toTimestamp(file.expirationTimeMs),
    ...(file.sha256Hex ? { sha256Hash: sha256HashField(file.sha256Hex) } : {}),
    uri: `${httpsBase}/v1beta/files/${file.id}`,
    downloadUri: `${publicBase}/download/v1beta/files/${file.id}:download?alt=media`,
    state: file.state,
    source: file.source,
  };
}

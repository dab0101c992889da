/**
 * multipart/form-data bodies for an OpenAI-compatible server's `/images/edits`: text fields,
 * then files, under a random boundary. Built in memory: the input images of one request are
 * already in memory as base64.
 */
import { randomBytes } from 'node:crypto';

/** One file of a multipart body. */
export interface FormFile {
  field: string;
  fileName: string;
  mimeType: string;
  data: Buffer;
}

/** A multipart/form-data body: text fields, then files. */
export interface FormBody {
  fields: readonly (readonly [string, string])[];
  files: readonly FormFile[];
}

/** Encodes `form` with a random boundary; answers the body and its content type. */
export function encodeMultipart(form: FormBody, boundary = `batchmode-${randomBytes(12).toString('hex')}`): { body: Buffer; contentType: string } {
  const pieces: Buffer[] = [];
  const quote = (text: string): string => text.replace(/["\r\n\\]/g, '_');
  for (const [name, value] of form.fields) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const file of form.files) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.fileName)}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`));
    pieces.push(file.data, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

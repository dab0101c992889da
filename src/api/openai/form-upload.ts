/**
 * Reads a `multipart/form-data` body (OpenAI's `POST /files`) with @fastify/busboy, streaming
 * its `file` part to a consumer as it arrives: the file is never buffered, whatever its size,
 * and the request is read no faster than the consumer writes (busboy holds back the body while
 * the part's stream is full). Other fields (`purpose`, …) are small and collected; they may come
 * before or after the file. Extra file parts are drained and ignored.
 *
 * A form that breaks after the file was consumed (a truncated body, a bad trailer) hands the
 * consumer's result to `abandon` (the caller deletes the new file) and rejects.
 */
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.js';
import { OpenAIInputError } from '../../openai-compat/index.js';
import { header } from '../http.js';

export interface FormFile {
  /** The part's file name (`filename=`), base name only; '' when none was sent. */
  filename: string;
  mimeType: string;
  stream: Readable;
}

export interface FormConsumer<T> {
  /** Must read `file.stream` to its end (or fail); `fields` holds the fields that came before it. */
  consumeFile(file: FormFile, fields: ReadonlyMap<string, string>): Promise<T>;
  /** Undoes a consumed file when the rest of the form fails. */
  abandon(result: T): Promise<void>;
}

export interface ReceivedForm<T> {
  fields: Map<string, string>;
  /** The consumer's result for the `file` part, if there was one. */
  file: T | undefined;
}

const FILE_FIELD = 'file';
const LIMITS = { fieldNameSize: 100, fieldSize: 64 * 1024, fields: 32, parts: 64, headerPairs: 64 };

export function receiveForm<T>(request: IncomingMessage, consumer: FormConsumer<T>): Promise<ReceivedForm<T>> {
  const contentType = header(request, 'content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType) || !/boundary=/i.test(contentType)) {
    return Promise.reject(new OpenAIInputError(
      "Files are uploaded as 'multipart/form-data' with the fields 'file' and 'purpose'.",
      { param: null, code: 'invalid_content_type' },
    ));
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let consumed: Promise<T> | undefined;
    let fileStream: BusboyFileStream | undefined;
    let settled = false;
    const form = new Busboy({
      headers: { ...request.headers, 'content-type': contentType },
      limits: LIMITS,
      isPartAFile: (fieldName) => fieldName === FILE_FIELD,
    });

    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      request.unpipe(form);
      // The caller's error answer drains what is left of the body (app.ts). A consumer still
      // reading the file fails (and cleans up after itself); one that finished is undone.
      if (fileStream && !fileStream.readableEnded) fileStream.destroy(error instanceof Error ? error : new Error(String(error)));
      if (consumed) {
        consumed.then((result) => consumer.abandon(result), () => undefined).catch(() => undefined);
      }
      reject(error);
    };

    form.on('file', (name: string, stream: BusboyFileStream, filename: string, _encoding: string, mimeType: string) => {
      if (name !== FILE_FIELD || consumed !== undefined || settled) {
        stream.resume();
        return;
      }
      fileStream = stream;
      consumed = consumer.consumeFile({ filename: filename ?? '', mimeType, stream }, fields);
      consumed.catch(fail);
    });
    form.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) fail(new OpenAIInputError(`The form field '${name.slice(0, 64)}' is too long.`, { param: name.slice(0, 64), code: 'invalid_value' }));
      else if (!fields.has(name)) fields.set(name, value);
    });
    form.on('error', (error: unknown) => {
      fail(new AppError('INVALID_ARGUMENT', `Malformed multipart/form-data body: ${error instanceof Error ? error.message : String(error)}.`));
    });
    form.on('finish', () => {
      if (settled) return;
      const done = consumed ?? Promise.resolve(undefined);
      done.then((file) => {
        if (settled) return;
        settled = true;
        resolve({ fields, file });
      }, fail);
    });
    request.once('close', () => {
      if (!request.complete) fail(new AppError('CANCELLED', 'The client closed the connection before the upload arrived.'));
    });
    request.pipe(form);
  });
}

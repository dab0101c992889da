/**
 * A chat message's `content` → Gemini parts.
 *
 * - A string is one text part.
 * - User content parts: `text` → text; `image_url` with a data URL → inlineData, with an http(s)
 *   URL → fileData (fileUri = the URL, mimeType guessed from its extension, image/jpeg when it
 *   has none it knows: Gemini needs a MIME type for a URI); `input_audio` (wav, mp3) →
 *   inlineData audio/wav or audio/mp3; `file` with `file_data` (a data URL, or bare base64 with
 *   a `filename` that names its type) → inlineData, with `file_id` → fileData `files/<id>` (an
 *   uploaded file of the same tenant: the ids of this surface are the Files API's). Any other
 *   part type is refused. `image_url.detail` is ignored.
 * - System, developer and tool messages take text only: a string or `text` parts. Assistant
 *   content takes `text` and `refusal` parts (a refusal is what the model said).
 */
import type { Part } from '../core/gemini-types.js';
import { AUDIO_MIME_TYPES, mimeTypeFromName, parseDataUrl } from './media.js';
import { invalidType, invalidValue, missingParameter, paramPath } from './openai-input-error.js';
import { isRecord, optionalEnum, optionalString, requiredRecord, requiredString } from './read-fields.js';

/** The parts of a user message's `content` (required). */
export function userContentParts(content: unknown, param: string): Part[] {
  if (typeof content === 'string') return [{ text: content }];
  if (content === undefined || content === null) throw missingParameter(param);
  if (!Array.isArray(content)) throw invalidType(param, 'a string or an array of content parts', content);
  if (content.length === 0) throw invalidValue(param, 'expected a non-empty array of content parts.', 'empty_array');
  return content.map((part, index) => userPart(part, paramPath(param, index)));
}

/**
 * The texts of a text-only `content` (system, developer, tool, assistant), one per part;
 * `allowRefusal` lets assistant content hold `refusal` parts. Absent content is no text.
 */
export function textContent(content: unknown, param: string, allowRefusal = false): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) throw invalidType(param, 'a string or an array of text parts', content);
  return content.map((part, index) => {
    const where = paramPath(param, index);
    if (!isRecord(part)) throw invalidType(where, 'an object', part);
    const type = optionalEnum(part.type, paramPath(where, 'type'), allowRefusal ? ['text', 'refusal'] : ['text']);
    if (type === undefined) throw missingParameter(paramPath(where, 'type'));
    return type === 'refusal' ? requiredText(part.refusal, paramPath(where, 'refusal')) : requiredText(part.text, paramPath(where, 'text'));
  });
}

function userPart(part: unknown, param: string): Part {
  if (!isRecord(part)) throw invalidType(param, 'an object', part);
  const type = optionalEnum(part.type, paramPath(param, 'type'), ['text', 'image_url', 'input_audio', 'file']);
  switch (type) {
    case undefined:
      throw missingParameter(paramPath(param, 'type'));
    case 'text':
      return { text: requiredText(part.text, paramPath(param, 'text')) };
    case 'image_url':
      return imagePart(requiredRecord(part.image_url, paramPath(param, 'image_url')), paramPath(param, 'image_url'));
    case 'input_audio':
      return audioPart(requiredRecord(part.input_audio, paramPath(param, 'input_audio')), paramPath(param, 'input_audio'));
    case 'file':
      return filePart(requiredRecord(part.file, paramPath(param, 'file')), paramPath(param, 'file'));
  }
}

function imagePart(image: Record<string, unknown>, param: string): Part {
  const where = paramPath(param, 'url');
  const url = requiredString(image.url, where);
  if (url.startsWith('data:')) {
    const data = parseDataUrl(url);
    if (data === undefined) throw invalidValue(where, "expected a base64 data URL ('data:image/png;base64,...') or an http(s) URL.");
    return { inlineData: { mimeType: data.mimeType, data: data.data } };
  }
  if (/^https?:\/\//i.test(url)) return { fileData: { mimeType: mimeTypeFromName(url) ?? 'image/jpeg', fileUri: url } };
  throw invalidValue(where, "expected a base64 data URL ('data:image/png;base64,...') or an http(s) URL.");
}

function audioPart(audio: Record<string, unknown>, param: string): Part {
  const data = requiredString(audio.data, paramPath(param, 'data'));
  const format = optionalEnum(audio.format, paramPath(param, 'format'), ['wav', 'mp3'] as const);
  if (format === undefined) throw missingParameter(paramPath(param, 'format'));
  return { inlineData: { mimeType: AUDIO_MIME_TYPES[format], data } };
}

function filePart(file: Record<string, unknown>, param: string): Part {
  const filename = optionalString(file.filename, paramPath(param, 'filename'));
  const fileData = optionalString(file.file_data, paramPath(param, 'file_data'));
  const fileId = optionalString(file.file_id, paramPath(param, 'file_id'));
  if (fileData !== undefined) {
    const parsed = parseDataUrl(fileData);
    if (parsed !== undefined) return { inlineData: { mimeType: parsed.mimeType, data: parsed.data } };
    const mimeType = filename === undefined ? undefined : mimeTypeFromName(filename);
    if (mimeType === undefined) {
      throw invalidValue(paramPath(param, 'file_data'), "expected a base64 data URL ('data:application/pdf;base64,...'), or a filename whose extension names the type.");
    }
    return { inlineData: { mimeType, data: fileData } };
  }
  if (fileId !== undefined && fileId !== '') {
    const mimeType = filename === undefined ? undefined : mimeTypeFromName(filename);
    const fileUri = fileId.startsWith('files/') ? fileId : `files/${fileId}`;
    return { fileData: { ...(mimeType === undefined ? {} : { mimeType }), fileUri } };
  }
  throw missingParameter(paramPath(param, 'file_data'));
}

function requiredText(value: unknown, param: string): string {
  const text = optionalString(value, param);
  if (text === undefined) throw missingParameter(param);
  return text;
}

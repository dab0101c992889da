/**
 * How media travels in OpenAI's chat messages, both directions: images as data URLs
 * (`data:<mime>;base64,<data>`) or http(s) URLs, audio as `input_audio` with a format of `wav`
 * or `mp3`. Shared by the OpenAI-compatible backend (Gemini inlineData → content parts) and
 * this surface (content parts → Gemini inlineData / fileData).
 */

/** Audio MIME types → OpenAI's `input_audio.format`. */
export const AUDIO_FORMATS: Readonly<Record<string, 'wav' | 'mp3'>> = {
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/mp3': 'mp3',
  'audio/mpeg': 'mp3',
};

/** OpenAI's `input_audio.format` → the MIME type Gemini is given. */
export const AUDIO_MIME_TYPES: Readonly<Record<'wav' | 'mp3', string>> = { wav: 'audio/wav', mp3: 'audio/mp3' };

/** A data URL for base64 `data` of `mimeType`. */
export function toDataUrl(mimeType: string, base64: string): string {
  return `data:${mimeType};base64,${base64}`;
}

/** The MIME type and base64 data of a `data:<mime>;base64,<data>` URL; undefined for any other URL. */
export function parseDataUrl(url: string): { mimeType: string; data: string } | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  if (match === null) return undefined;
  const mimeType = (match[1] ?? '').trim().toLowerCase();
  return { mimeType: mimeType === '' ? 'application/octet-stream' : mimeType, data: match[3] ?? '' };
}

/** MIME types by file extension, for http(s) image URLs and named files. */
const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  wav: 'audio/wav',
  mp3: 'audio/mp3',
  mp4: 'video/mp4',
};

/** The MIME type a URL's or file name's extension suggests (query and fragment ignored); undefined when none does. */
export function mimeTypeFromName(name: string): string | undefined {
  const path = name.replace(/[?#].*$/s, '');
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : EXTENSION_TYPES[extension];
}

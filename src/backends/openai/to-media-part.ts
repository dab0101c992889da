/**
 * Inline or uploaded media → one chat content part. OpenAI-compatible servers take images as
 * data URLs (`image_url`), WAV/MP3 audio as `input_audio`, and nothing else binary that vLLM,
 * llama.cpp or Ollama would all understand; text-like media (`text/*`, JSON) becomes plain text.
 * Anything else (PDF, video, other audio) fails the request: silently dropping it would answer
 * a different question.
 */
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import { AUDIO_FORMATS, toDataUrl } from '../../openai-compat/media.js';
import { invalidRequest } from './invalid-request.js';

/**
 * The content part for `data` (base64 text, or the raw bytes of a resolved file) of `mimeType`.
 * `where` names the part in errors (e.g. `contents[0].parts[1]`).
 */
export function toMediaPart(mimeType: string, data: string | Buffer, where: string, serverLabel: string): ChatCompletionContentPart {
  const type = mimeType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (type.startsWith('image/')) return { type: 'image_url', image_url: { url: toDataUrl(type, base64Of(data)) } };
  const audioFormat = AUDIO_FORMATS[type];
  if (audioFormat !== undefined) return { type: 'input_audio', input_audio: { data: base64Of(data), format: audioFormat } };
  if (isTextType(type)) return { type: 'text', text: typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : data.toString('utf8') };
  throw invalidRequest(
    `${where}: ${mimeType || 'media without a mimeType'} is not supported by the OpenAI-compatible backend (${serverLabel}); ` +
      'it accepts images, WAV/MP3 audio and text (text/*, application/json)',
  );
}

function base64Of(data: string | Buffer): string {
  return typeof data === 'string' ? data : data.toString('base64');
}

function isTextType(type: string): boolean {
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json');
}

/**
 * An images API answer (`{created, data: [{b64_json, revised_prompt?}], usage?, output_format?}`)
 * → a Gemini GenerateContentResponse: one candidate per image (Gemini's candidateCount), each
 * with the image as an `inlineData` part, preceded by the server's `revised_prompt` as a text
 * part when it sent one and the request asked for TEXT. The MIME type is the answer's
 * `output_format`, else read from the image's first bytes (PNG, JPEG, WebP, GIF), else PNG.
 * Usage, when the server reports it (gpt-image: input_tokens, output_tokens), becomes
 * `usageMetadata` with the output counted as IMAGE; `modelVersion` is the model asked.
 * An image given only as a `url` is refused: batchmode stores images inline, so the route must
 * get base64 (`response_format: b64_json`).
 */
import type { Candidate, GenerateContentResponse, Part, UsageMetadata } from '../../core/gemini-types.js';
import { isRecord } from './is-record.js';
import { unexpectedBody } from './unexpected-body.js';

const FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

/** The Gemini response for `answer`; throws INTERNAL (a BackendError) for a body that is not an images answer. */
export function fromImageResponse(answer: unknown, model: string, withText: boolean, serverLabel: string): GenerateContentResponse {
  if (!isRecord(answer) || !Array.isArray(answer.data)) return unexpectedBody(serverLabel, 'an images answer needs a data array');
  if (answer.data.length === 0) return unexpectedBody(serverLabel, 'the images answer holds no image');
  const format = typeof answer.output_format === 'string' ? FORMATS[answer.output_format.toLowerCase()] : undefined;
  const candidates = answer.data.map((item: unknown, index): Candidate => {
    if (!isRecord(item)) return unexpectedBody(serverLabel, `data[${index}] is not an object`);
    if (typeof item.b64_json !== 'string' || item.b64_json === '') {
      const hint = typeof item.url === 'string' ? ' (it sent a url: let the route send response_format "b64_json", images.sendResponseFormat)' : '';
      return unexpectedBody(serverLabel, `data[${index}] has no b64_json${hint}`);
    }
    const parts: Part[] = [];
    if (withText && typeof item.revised_prompt === 'string' && item.revised_prompt !== '') parts.push({ text: item.revised_prompt });
    parts.push({ inlineData: { mimeType: format ?? sniffMimeType(item.b64_json), data: item.b64_json } });
    return { content: { role: 'model', parts }, finishReason: 'STOP', index };
  });
  const response: GenerateContentResponse = { candidates };
  const usage = usageOf(answer.usage);
  if (usage !== undefined) response.usageMetadata = usage;
  response.modelVersion = model;
  return response;
}

/** The MIME type the base64 `data` starts like. */
export function sniffMimeType(data: string): string {
  const head = Buffer.from(data.slice(0, 24), 'base64');
  if (head[0] === 0xff && head[1] === 0xd8) return 'image/jpeg';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (head.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
  return 'image/png';
}

function usageOf(usage: unknown): UsageMetadata | undefined {
  if (!isRecord(usage)) return undefined;
  const input = typeof usage.input_tokens === 'number' ? usage.input_tokens : undefined;
  const output = typeof usage.output_tokens === 'number' ? usage.output_tokens : undefined;
  if (input === undefined && output === undefined) return undefined;
  const metadata: UsageMetadata = {};
  if (input !== undefined) metadata.promptTokenCount = input;
  if (output !== undefined) {
    metadata.candidatesTokenCount = output;
    metadata.candidatesTokensDetails = [{ modality: 'IMAGE', tokenCount: output }];
  }
  metadata.totalTokenCount = typeof usage.total_tokens === 'number' ? usage.total_tokens : (input ?? 0) + (output ?? 0);
  return metadata;
}

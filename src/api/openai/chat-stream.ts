/**
 * A streamed chat completion as OpenAI sends it: server-sent events of
 * `data: {chat.completion.chunk}`, then the usage chunk when asked for, then `data: [DONE]`.
 * The status is decided by the first Gemini chunk: a failure before it propagates (an ordinary
 * OpenAI error answer); a failure after it is one `data: {"error": …}` event, then the stream
 * ends without `[DONE]` (the SDKs raise an APIError for it).
 */
import type { ServerResponse } from 'node:http';
import type { GenerateContentResponse } from '../../core/gemini-types.js';
import { toOpenAIError, type ChatChunkEncoder } from '../../openai-compat/index.js';
import { toResponseError } from '../error-response.js';

export async function streamChatCompletion(
  response: ServerResponse,
  chunks: AsyncIterable<GenerateContentResponse>,
  encoder: ChatChunkEncoder,
): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const send = (data: unknown): void => {
    if (!response.destroyed) response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
  try {
    if (!first.done) encoder.chunk(first.value).forEach(send);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) encoder.chunk(next.value).forEach(send);
    encoder.finish().forEach(send);
    send('[DONE]');
  } catch (error) {
    send(toOpenAIError(toResponseError(error)).body);
  }
  response.end();
}

/**
 * A native result line of a batch created through the OpenAI-compatible surface, rewritten in
 * that surface's line format for `:results` while the batch runs, so a follower reads one
 * format from start to end: the same `{id, custom_id, response, error}` lines the output and
 * error files will hold (the completions' `created` is when the line was streamed).
 */
import type { BatchRecord } from '../core/batch.js';
import { openAIErrorLine, openAISuccessLine, type OpenAIEndpoint } from '../openai-compat/index.js';
import { parseResult } from './openai-results.js';

/** `resultLine` (a native `{"key","response"|"error"}` line) of request `index` as an OpenAI line; unparsable lines pass as they are. */
export function openAILiveLine(batch: BatchRecord, index: number, resultLine: Buffer, nowMs: number): Buffer {
  const result = parseResult(resultLine);
  if (!result) return resultLine;
  const endpoint = (batch.openai?.endpoint ?? '/v1/chat/completions') as OpenAIEndpoint;
  const context = { batchId: batch.id, index, model: batch.model, created: Math.floor(nowMs / 1000) };
  if (result.response !== undefined) return Buffer.from(openAISuccessLine(result.key ?? '', result.response, endpoint, context));
  if (result.error !== undefined) return Buffer.from(openAIErrorLine(result.key ?? '', result.error, { ...context, unrun: false }));
  return resultLine;
}

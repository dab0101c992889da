/**
 * The lines of an OpenAI batch's output and error files, built from the engine's native
 * results. Each is `{id, custom_id, response, error}` (a JSON string, no newline) with
 * `id` = `batch_req_<batchId>_<index>` and `request_id` = `req_<batchId>_<index>`, index being
 * the request's 0-based position in the input.
 *
 * - A success: `response: {status_code: 200, request_id, body}`, `error: null`; the body is a
 *   `chat.completion` (id `chatcmpl-<batchId>-<index>`) or an embeddings list of one float
 *   embedding (prompt tokens from the response's usageMetadata when it has one, else 0: Gemini
 *   reports none for embeddings).
 * - A request that failed at the backend: `response: {status_code: <HTTP status of the
 *   google.rpc status>, request_id, body: {error: {message, type, param, code}}}`, `error: null`,
 *   as OpenAI writes a request its API refused.
 * - A request never run: `response: null`, `error: {code, message}` with code
 *   `batch_cancelled` (CANCELLED), `batch_expired` (DEADLINE_EXCEEDED) or `batch_failed`
 *   (anything else). Only `unrun` decides: a request that ran and failed with
 *   DEADLINE_EXCEEDED (a backend that did not answer in time) is a failed request, not an
 *   expired one.
 */
import { RPC_STATUS, type RpcStatusName } from '../core/errors.js';
import type { EmbedContentResponse, GenerateContentResponse } from '../core/gemini-types.js';
import { geminiToChatCompletion } from './chat-completion.js';
import { geminiToEmbeddingList } from './embedding-list.js';
import type { OpenAIEndpoint } from './endpoints.js';
import { openAIErrorType } from './openai-error.js';

/** Where a result line belongs. */
export interface OutputLineContext {
  /** The batch id (a `batches/` prefix is removed). */
  batchId: string;
  /** The request's 0-based position in the input. */
  index: number;
  /** The model, as the lines named it. */
  model: string;
  /** Unix seconds, for the completion's `created`. */
  created: number;
}

const UNRUN_CODES: Partial<Record<RpcStatusName, string>> = { CANCELLED: 'batch_cancelled', DEADLINE_EXCEEDED: 'batch_expired' };

/** The output-file line of a request that succeeded with `response`. */
export function openAISuccessLine(customId: string, response: unknown, endpoint: OpenAIEndpoint, context: OutputLineContext): string {
  const { batchId, suffix } = idsOf(context);
  const body =
    endpoint === '/v1/chat/completions'
      ? geminiToChatCompletion(response as GenerateContentResponse, { id: `chatcmpl-${batchId}-${context.index}`, model: context.model, created: context.created })
      : geminiToEmbeddingList([response as EmbedContentResponse], { model: context.model, encodingFormat: 'float', promptTokens: promptTokensOf(response) });
  return JSON.stringify({ id: `batch_req_${suffix}`, custom_id: customId, response: { status_code: 200, request_id: `req_${suffix}`, body }, error: null });
}

/** The error-file line of a request that failed with `error` (google.rpc.Status), or never ran. */
export function openAIErrorLine(customId: string, error: { code: number; message: string; status?: string }, context: OutputLineContext & { unrun: boolean }): string {
  const { suffix } = idsOf(context);
  const status = statusOf(error);
  if (context.unrun) {
    return JSON.stringify({ id: `batch_req_${suffix}`, custom_id: customId, response: null, error: { code: UNRUN_CODES[status] ?? 'batch_failed', message: error.message } });
  }
  const httpStatus = RPC_STATUS[status].http;
  const body = { error: { message: error.message, type: openAIErrorType(httpStatus), param: null, code: null } };
  return JSON.stringify({ id: `batch_req_${suffix}`, custom_id: customId, response: { status_code: httpStatus, request_id: `req_${suffix}`, body }, error: null });
}

function idsOf(context: OutputLineContext): { batchId: string; suffix: string } {
  const batchId = context.batchId.replace(/^batches\//, '');
  return { batchId, suffix: `${batchId}_${context.index}` };
}

/** The status name of a google.rpc.Status (by name, else by its gRPC number; UNKNOWN when neither is known). */
function statusOf(error: { code: number; status?: string }): RpcStatusName {
  if (error.status !== undefined && Object.hasOwn(RPC_STATUS, error.status)) return error.status as RpcStatusName;
  const byCode = (Object.keys(RPC_STATUS) as RpcStatusName[]).find((name) => RPC_STATUS[name].grpc === error.code);
  return byCode ?? 'UNKNOWN';
}

function promptTokensOf(response: unknown): number {
  const count = (response as { usageMetadata?: { promptTokenCount?: unknown } } | undefined)?.usageMetadata?.promptTokenCount;
  return typeof count === 'number' && count > 0 ? count : 0;
}

/**
 * Any AppError → OpenAI's error answer: the HTTP status and the body
 * `{"error": {"message", "type", "param", "code"}}`, so the openai SDKs raise their usual
 * classes (they pick them by status). The status is the AppError's own (400 for
 * INVALID_ARGUMENT / FAILED_PRECONDITION / OUT_OF_RANGE, 403, 404, 409 for ALREADY_EXISTS /
 * ABORTED, 429, 503, 504, 500…), with one exception: every failed authentication is 401
 * `authentication_error` — UNAUTHENTICATED, and what batchmode's Gemini-style auth answers:
 * a wrong key (INVALID_ARGUMENT, errorInfo.reason API_KEY_INVALID; code `invalid_api_key`) and
 * a missing key (PERMISSION_DENIED "Method doesn't allow unregistered callers…", or
 * errorInfo.reason API_KEY_MISSING), reworded in OpenAI's terms. `param` and `code` come from an
 * OpenAIInputError, or from a WireSchemaError (its field path and reason); 429 is
 * `rate_limit_exceeded`. The AppError's headers (`retry-after`…) are kept.
 */
import type { AppError } from '../core/errors.js';
import { WireSchemaError, type WireSchemaErrorReason } from '../core/wire-schema/wire-schema-error.js';
import { OpenAIInputError } from './openai-input-error.js';

/** OpenAI's error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error answer: status, body, and the headers to send with it. */
export interface OpenAIErrorAnswer {
  httpStatus: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const INVALID_KEY_MESSAGE = 'Incorrect API key provided. Pass a valid batchmode API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).';

const WIRE_SCHEMA_CODES: Readonly<Record<WireSchemaErrorReason, string>> = {
  'invalid JSON': 'invalid_json',
  'unknown field': 'unknown_parameter',
  'invalid value': 'invalid_value',
  'duplicate field': 'invalid_value',
  'missing required field': 'missing_required_parameter',
  'empty field': 'invalid_value',
};

/** OpenAI's `type` for an HTTP status. */
export function openAIErrorType(httpStatus: number): string {
  switch (httpStatus) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    default:
      if (httpStatus >= 500 && httpStatus <= 599) return 'server_error';
      return httpStatus >= 400 && httpStatus < 499 ? 'invalid_request_error' : 'api_error';
  }
}

/** The OpenAI error answer for `error`. */
export function toOpenAIError(error: AppError): OpenAIErrorAnswer {
  const headers = { ...error.headers };
  const auth = authFailure(error);
  if (auth !== undefined) return { httpStatus: 401, body: { error: { message: auth.message, type: 'authentication_error', param: null, code: auth.code } }, headers };
  const { param, code } = detailsOf(error);
  return { httpStatus: error.httpStatus, body: { error: { message: error.message, type: openAIErrorType(error.httpStatus), param, code } }, headers };
}

function authFailure(error: AppError): { message: string; code: string | null } | undefined {
  const reason = error.errorInfo?.reason;
  if (reason === 'API_KEY_INVALID') return { message: INVALID_KEY_MESSAGE, code: 'invalid_api_key' };
  if (reason === 'API_KEY_MISSING') return { message: MISSING_KEY_MESSAGE, code: null };
  if (error.status === 'PERMISSION_DENIED' && error.message.startsWith("Method doesn't allow unregistered callers")) return { message: MISSING_KEY_MESSAGE, code: null };
  if (error.status === 'UNAUTHENTICATED') return { message: error.message, code: error instanceof OpenAIInputError ? error.code : null };
  return undefined;
}

function detailsOf(error: AppError): { param: string | null; code: string | null } {
  if (error instanceof OpenAIInputError) return { param: error.param, code: error.code };
  if (error instanceof WireSchemaError) return { param: error.fieldPath === '' ? null : error.fieldPath, code: WIRE_SCHEMA_CODES[error.reason] };
  if (error.httpStatus === 429) return { param: null, code: 'rate_limit_exceeded' };
  return { param: null, code: null };
}

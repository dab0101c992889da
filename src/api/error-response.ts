/**
 * The one place errors become the wire body: `{"error":{"code","message","status"}}` with
 * `content-type: application/json` (the SDKs parse the body only with that type). Unknown
 * errors are logged and answered as INTERNAL without leaking their message, except those that
 * say they are transient (S3 unreachable): UNAVAILABLE, like a store that is down (503, retry
 * later), logged as a warning. The OpenAI-compatible surface renders the same AppErrors in its
 * own shape through a renderer (`toOpenAIError` of src/openai-compat, chosen in app.ts).
 */
import type { ServerResponse } from 'node:http';
import { AppError, isTransientFailure } from '../core/errors.js';
import type { Logger } from '../lib/logger.js';

export interface ErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/**
 * Any thrown value as the AppError the client is answered with: AppErrors as they are, transient
 * failures as UNAVAILABLE, everything else as an INTERNAL that leaks nothing. (Not the models
 * service's `backendErrorToAppError`, which converts BackendErrors only and passes the rest on.)
 */
export function toResponseError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isTransientFailure(error)) return new AppError('UNAVAILABLE', 'A storage service is unavailable; retry later.', { cause: error });
  return new AppError('INTERNAL', 'Internal error encountered.', { cause: error });
}

export function errorBody(error: AppError): ErrorBody {
  const details: unknown[] = [];
  if (error.errorInfo) details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', domain: 'googleapis.com', ...error.errorInfo });
  if (error.quotaFailure) details.push({ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: error.quotaFailure });
  return {
    error: { code: error.httpStatus, message: error.message, status: error.status, ...(details.length > 0 ? { details } : {}) },
  };
}

/** An AppError as an HTTP status and a JSON body: Gemini's by default. */
export type ErrorRenderer = (error: AppError) => { httpStatus: number; body: unknown };

export const geminiErrorRenderer: ErrorRenderer = (error) => ({ httpStatus: error.httpStatus, body: errorBody(error) });

/**
 * Writes the error response (or ends the connection if headers already went out). `logger` is
 * the request's own (a child carrying its `requestId`, and `traceId`), so the error lines name
 * the request they are about.
 */
export function writeError(response: ServerResponse, error: unknown, logger: Logger, render: ErrorRenderer = geminiErrorRenderer): AppError {
  const appError = toResponseError(error);
  if (appError.status === 'INTERNAL') logger.error('request failed', { error: appError.cause ?? appError });
  // A dependency that is down (the database restarting): worth a line, not an alarm per request.
  else if (appError.status === 'UNAVAILABLE') logger.warn('request failed: unavailable', { error: appError.cause ?? appError.message });
  if (response.headersSent) {
    response.destroy();
    return appError;
  }
  const rendered = render(appError);
  const body = JSON.stringify(rendered.body);
  response.writeHead(rendered.httpStatus, {
    ...appError.headers,
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
  return appError;
}

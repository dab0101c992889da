/**
 * Authentication as the Gemini API does it: the key comes in the `x-goog-api-key` header (what
 * the SDKs send) or the `key` query parameter (curl samples, older clients). Errors mirror
 * production: no key → 403 PERMISSION_DENIED; a wrong key → 400 INVALID_ARGUMENT with
 * reason API_KEY_INVALID (Google's choice; the SDKs treat both as errors).
 *
 * The OpenAI-compatible surface takes the same keys as `Authorization: Bearer <key>` (what the
 * OpenAI SDKs send), and also the Gemini forms; there a missing or wrong key is a 401, which the
 * OpenAI SDKs raise as AuthenticationError.
 */
import type { IncomingMessage } from 'node:http';
import { AppError, invalidArgument, permissionDenied } from '../core/errors.js';
import type { KeyRing } from '../auth/key-ring.js';
import { header } from './http.js';

export function apiKeyOf(request: IncomingMessage, url: URL): string | undefined {
  return header(request, 'x-goog-api-key') || url.searchParams.get('key') || undefined;
}

/** Resolves the caller's tenant, or throws the Gemini-shaped error. */
export function authenticate(request: IncomingMessage, url: URL, keys: KeyRing): string {
  const apiKey = apiKeyOf(request, url);
  if (!apiKey) {
    throw permissionDenied(
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  const tenantId = keys.tenantOf(apiKey);
  if (!tenantId) {
    throw invalidArgument('API key not valid. Please pass a valid API key.', {
      errorInfo: { reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
    });
  }
  return tenantId;
}

/** The key of an `Authorization: Bearer <key>` header, if the request has one. */
export function bearerKeyOf(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

/** Whether the request speaks OpenAI's dialect of auth: a Bearer key and no Gemini key. */
export function isOpenAIRequest(request: IncomingMessage, url: URL): boolean {
  return bearerKeyOf(request) !== undefined && apiKeyOf(request, url) === undefined;
}

/** Resolves the caller's tenant on the OpenAI surface (Bearer, or a Gemini key), or throws a 401. */
export function authenticateOpenAI(request: IncomingMessage, url: URL, keys: KeyRing): string {
  const apiKey = bearerKeyOf(request) ?? apiKeyOf(request, url);
  if (!apiKey) {
    throw new AppError(
      'UNAUTHENTICATED',
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const tenantId = keys.tenantOf(apiKey);
  if (!tenantId) throw new AppError('UNAUTHENTICATED', 'Incorrect API key provided.', { errorInfo: { reason: 'API_KEY_INVALID', domain: 'googleapis.com' } });
  return tenantId;
}

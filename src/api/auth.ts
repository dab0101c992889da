/**
 * Authentication as the Gemini API does it: the key comes in the `x-goog-api-key` header (what
 * the SDKs send) or the `key` query parameter (curl samples, older clients). Errors mirror
 * production: no key → 403 PERMISSION_DENIED; a wrong key → 400 INVALID_ARGUMENT with
 * reason API_KEY_INVALID (Google's choice; the SDKs treat both as errors).
 */
import type { IncomingMessage } from 'node:http';
import { invalidArgument, permissionDenied } from '../core/errors.js';
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

/**
 * The base URL clients reach this server at, used in upload URLs and file uris. A configured
 * BATCHMODE_PUBLIC_URL wins; otherwise it is rebuilt from the request (honouring
 * X-Forwarded-Proto/-Host/-Prefix from a reverse proxy).
 */
import type { IncomingMessage } from 'node:http';
import { header } from './http.js';

export function publicBaseOf(request: IncomingMessage, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  const proto = header(request, 'x-forwarded-proto')?.split(',')[0]?.trim() || 'http';
  const host = header(request, 'x-forwarded-host')?.split(',')[0]?.trim() || header(request, 'host') || 'localhost';
  const prefix = (header(request, 'x-forwarded-prefix') ?? '').replace(/\/+$/, '');
  return `${proto}://${host}${prefix}`;
}

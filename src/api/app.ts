/**
 * The HTTP front: URL → route → (auth) → handler, with one error handler and one structured
 * log line per request. Routes come from the route modules; nothing here knows about files or
 * batches.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../core/errors.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { Logger } from '../lib/logger.js';
import { authenticate } from './auth.js';
import { writeError } from './error-response.js';
import type { RouteContext } from './http.js';
import { publicBaseOf } from './public-base.js';
import { matchRoute, type Route } from './router.js';

export interface AppDeps {
  routes: readonly Route[];
  keys: KeyRing;
  logger: Logger;
  /** BATCHMODE_PUBLIC_URL, if set; its path prefix is also stripped from incoming paths. */
  publicUrl: string | undefined;
}

export function createApp(deps: AppDeps): RequestListener {
  const prefix = deps.publicUrl ? new URL(deps.publicUrl).pathname.replace(/\/+$/, '') : '';

  return (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = process.hrtime.bigint();
    const requestId = randomUUID();
    response.setHeader('x-request-id', requestId);
    let tenantId: string | undefined;
    let errorStatus: string | undefined;
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (prefix && url.pathname.startsWith(`${prefix}/`)) url.pathname = url.pathname.slice(prefix.length);

    response.on('close', () => {
      deps.logger.info('request', {
        requestId,
        method: request.method,
        path: url.pathname,
        status: response.statusCode,
        ...(errorStatus ? { error: errorStatus } : {}),
        durationMs: Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000,
        ...(tenantId ? { tenant: tenantId } : {}),
        ...(response.writableFinished ? {} : { aborted: true }),
      });
    });

    const handle = async (): Promise<void> => {
      const match = matchRoute(deps.routes, request.method ?? 'GET', url.pathname);
      if (match.kind === 'not-found') throw notFound(`Method not found: ${request.method} ${url.pathname}`);
      if (match.kind === 'method-not-allowed') {
        throw new AppError('INVALID_ARGUMENT', `Method ${request.method} is not allowed on ${url.pathname}.`, {
          httpStatus: 405,
          headers: { allow: [...new Set(match.allowed)].join(', ') },
        });
      }
      if (!match.route.isPublic) tenantId = authenticate(request, url, deps.keys);
      const context: RouteContext = {
        request, response, url, params: match.params, tenantId: tenantId ?? '',
        publicBase: publicBaseOf(request, deps.publicUrl),
      };
      await match.route.handler(context);
    };

    handle().catch((error: unknown) => {
      errorStatus = writeError(response, error, deps.logger).status;
    });
  };
}

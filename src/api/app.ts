/**
 * The HTTP front: URL → route → (auth) → handler, with one error handler and one structured
 * log line per request. Routes come from the route modules; nothing here knows about files or
 * batches.
 *
 * Routes of the OpenAI-compatible surface (`surface: 'openai'`, see router.ts) authenticate with
 * `Authorization: Bearer <key>` (Gemini keys accepted too) and answer every error, their own
 * 404/405 and auth failures included, in OpenAI's shape (`toOpenAIError`); so do unknown paths
 * under `/v1beta/openai/` (and under `/v1/` for a Bearer-only request).
 *
 * Nothing in the listener may throw past the error handler: the request target is parsed
 * inside it (a target that is not a URL, or longer than MAX_URL_BYTES, is a 400 / 414), and a
 * failure while writing the error answer only ends that connection. The node:http server
 * around this listener, with its limits and its answers to unparseable requests, is in
 * http-server.ts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AppError, invalidArgument, notFound } from '../core/errors.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { Logger } from '../lib/logger.js';
import { toOpenAIError } from '../openai-compat/index.js';
import { authenticate, authenticateOpenAI, isOpenAIRequest } from './auth.js';
import { writeError } from './error-response.js';
import { discardRestOfBody, type RouteContext } from './http.js';
import { publicBaseOf } from './public-base.js';
import { CONTROL_CHARACTER, matchRoute, shorten, surfaceOfPath, type Route, type Surface } from './router.js';

export interface AppDeps {
  routes: readonly Route[];
  keys: KeyRing;
  logger: Logger;
  /** BATCHMODE_PUBLIC_URL, if set; its path prefix is also stripped from incoming paths. */
  publicUrl: string | undefined;
}

/** The longest request target (path and query) answered; longer ones get 414. */
export const MAX_URL_BYTES = 16 * 1024;

export function createApp(deps: AppDeps): RequestListener {
  const prefix = deps.publicUrl ? new URL(deps.publicUrl).pathname.replace(/\/+$/, '') : '';

  return (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = process.hrtime.bigint();
    const requestId = randomUUID();
    response.setHeader('x-request-id', requestId);
    let tenantId: string | undefined;
    let errorStatus: string | undefined;
    let path: string | undefined;
    let surface: Surface;
    // Last resort: an 'error' event nobody listens for would be an uncaught exception.
    request.on('error', (error) => deps.logger.debug('request stream error', { requestId, error }));
    response.on('error', (error) => deps.logger.debug('response stream error', { requestId, error }));

    response.on('close', () => {
      deps.logger.info('request', {
        requestId,
        method: request.method,
        path: path ?? shorten(request.url ?? ''),
        status: response.statusCode,
        ...(errorStatus ? { error: errorStatus } : {}),
        durationMs: Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000,
        ...(tenantId ? { tenant: tenantId } : {}),
        ...(response.writableFinished ? {} : { aborted: true }),
      });
    });

    const handle = async (): Promise<void> => {
      const url = parseTarget(request, prefix);
      path = url.pathname;
      const openAIRequest = isOpenAIRequest(request, url);
      // Decided before matching, so that a bad path parameter on an OpenAI path answers in its shape.
      surface = surfaceOfPath(url.pathname, { openAIRequest });
      const match = matchRoute(deps.routes, request.method ?? 'GET', url.pathname, { openAIRequest });
      surface = match.kind === 'found' ? match.route.surface : match.surface;
      if (match.kind === 'not-found') {
        // OpenAI's words for an unknown path; Gemini's otherwise.
        throw notFound(surface === 'openai' ? `Invalid URL (${request.method} ${shorten(url.pathname)})` : `Method not found: ${request.method} ${shorten(url.pathname)}`);
      }
      if (match.kind === 'method-not-allowed') {
        throw new AppError('INVALID_ARGUMENT', `Method ${request.method} is not allowed on ${shorten(url.pathname)}.`, {
          httpStatus: 405,
          headers: { allow: [...new Set(match.allowed)].join(', ') },
        });
      }
      if (!match.route.isPublic) {
        tenantId = surface === 'openai' ? authenticateOpenAI(request, url, deps.keys) : authenticate(request, url, deps.keys);
      }
      const context: RouteContext = {
        request, response, url, params: match.params, tenantId: tenantId ?? '',
        publicBase: publicBaseOf(request, deps.publicUrl),
      };
      await match.route.handler(context);
    };

    handle().catch((error: unknown) => {
      try {
        errorStatus = writeError(response, error, deps.logger, surface === 'openai' ? toOpenAIError : undefined).status;
      } catch (writeFailure) {
        deps.logger.error('writing an error response failed', { requestId, error: writeFailure });
        response.destroy();
      }
      // The client may still be sending a body nobody will read (a 413, a 404 on a POST).
      discardRestOfBody(request);
    });
  };
}

/**
 * The request target as a URL: origin-form (`/path?query`) or absolute-form
 * (`http://host/path`), without the public URL's path prefix. Anything else is refused.
 */
function parseTarget(request: IncomingMessage, prefix: string): URL {
  const target = request.url ?? '/';
  if (Buffer.byteLength(target) > MAX_URL_BYTES) {
    throw new AppError('INVALID_ARGUMENT', `The request URL is longer than ${MAX_URL_BYTES} bytes.`, { httpStatus: 414 });
  }
  if (request.httpVersion === '1.1' && request.headers.host === undefined) {
    throw invalidArgument('An HTTP/1.1 request must carry a Host header.');
  }
  let url: URL;
  try {
    url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
  } catch {
    throw invalidArgument(`Malformed request target '${shorten(target)}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(`Malformed request target '${shorten(target)}'.`);
  for (const [name, value] of url.searchParams) {
    if (CONTROL_CHARACTER.test(name) || CONTROL_CHARACTER.test(value)) {
      throw invalidArgument(`The query parameter '${shorten(name)}' contains a control character.`);
    }
  }
  if (prefix && url.pathname.startsWith(`${prefix}/`)) url.pathname = url.pathname.slice(prefix.length);
  return url;
}

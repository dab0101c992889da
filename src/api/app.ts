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
 * Every request is named by a request id (the client's `X-Request-Id` when it is a sane token,
 * else a new UUID) and, when the client sent a valid W3C `traceparent`, its trace id
 * (request-trace.ts); both are echoed on the answer and carried by every log line about the
 * request, error lines included. The request line is at info, health probes' at debug. When
 * the answer closes, one `httpRequest` event goes to `events` with the matched route's template
 * (route-template.ts; `unmatched` when no route matched) for the metrics.
 *
 * Nothing in the listener may throw past the error handler: the request target is parsed
 * inside it (a target that is not a URL, or longer than MAX_URL_BYTES, is a 400 / 414), and a
 * failure while writing the error answer only ends that connection. The node:http server
 * around this listener, with its limits and its answers to unparseable requests, is in
 * http-server.ts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { EngineEvents } from '../core/engine-events.js';
import { AppError, invalidArgument, notFound } from '../core/errors.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { Logger } from '../lib/logger.js';
import { toOpenAIError } from '../openai-compat/index.js';
import { authenticate, authenticateOpenAI, isOpenAIRequest } from './auth.js';
import { writeError } from './error-response.js';
import { discardRestOfBody, type RouteContext } from './http.js';
import { publicBaseOf } from './public-base.js';
import { requestIdOf, traceContextOf } from './request-trace.js';
import { templateOf, UNMATCHED_ROUTE } from './route-template.js';
import { CONTROL_CHARACTER, matchRoute, shorten, surfaceOfPath, type Route, type Surface } from './router.js';

export interface AppDeps {
  routes: readonly Route[];
  keys: KeyRing;
  logger: Logger;
  /** BATCHMODE_PUBLIC_URL, if set; its path prefix is also stripped from incoming paths. */
  publicUrl: string | undefined;
  /** Where the `httpRequest` event of each answered request goes (metrics); none by default. */
  events?: EngineEvents;
}

/** The longest request target (path and query) answered; longer ones get 414. */
export const MAX_URL_BYTES = 16 * 1024;

/** Routes polled by probes and scrapers: their request lines are at debug. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
/** Methods named as they are in the `httpRequest` event; any other is `OTHER` (a bounded label). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function createApp(deps: AppDeps): RequestListener {
  const prefix = deps.publicUrl ? new URL(deps.publicUrl).pathname.replace(/\/+$/, '') : '';

  return (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdOf(request.headers);
    const trace = traceContextOf(request.headers);
    response.setHeader('x-request-id', requestId);
    if (trace) response.setHeader('traceparent', trace.traceparent);
    const logger = deps.logger.child({ requestId, ...(trace ? { traceId: trace.traceId } : {}) });
    let tenantId: string | undefined;
    let errorStatus: string | undefined;
    let path: string | undefined;
    let route: Route | undefined;
    let surface: Surface;
    // Last resort: an 'error' event nobody listens for would be an uncaught exception.
    request.on('error', (error) => logger.debug('request stream error', { error }));
    response.on('error', (error) => logger.debug('response stream error', { error }));

    response.on('close', () => {
      const template = route ? templateOf(route) : UNMATCHED_ROUTE;
      const durationMs = Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000;
      const method = request.method ?? '';
      logger[PROBE_ROUTES.has(template) ? 'debug' : 'info']('request', {
        method,
        path: path ?? shorten(request.url ?? ''),
        route: template,
        status: response.statusCode,
        ...(errorStatus ? { rpcStatus: errorStatus } : {}),
        durationMs,
        ...(tenantId ? { tenant: tenantId } : {}),
        ...(response.writableFinished ? {} : { aborted: true }),
      });
      deps.events?.httpRequest({
        route: template, method: KNOWN_METHODS.has(method) ? method : 'OTHER', status: response.statusCode, durationMs, requestId,
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
      route = match.route;
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
        errorStatus = writeError(response, error, logger, surface === 'openai' ? toOpenAIError : undefined).status;
      } catch (writeFailure) {
        logger.error('writing an error response failed', { error: writeFailure });
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

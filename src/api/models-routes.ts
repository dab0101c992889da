/**
 * Model routes (docs/wire-contract.md, models): models.list / models.get, and the interactive calls: generateContent,
 * streamGenerateContent (SSE with `alt=sse`, else a JSON array), embedContent,
 * batchEmbedContents (what the JS SDK's embedContent calls) and countTokens. Bodies are
 * normalised and validated like batch requests; an aborted client aborts the backend call.
 */
import type { ServerResponse } from 'node:http';
import { invalidArgument } from '../core/errors.js';
import type { EmbedContentRequest, GenerateContentRequest } from '../core/gemini-types.js';
import { normalizeMessage } from '../core/wire-schema/normalize-message.js';
import type { InteractiveService } from '../models/index.js';
import { errorBody, toResponseError } from './error-response.js';
import { readJsonBody, sendJson, type RouteContext } from './http.js';
import type { Route } from './router.js';
import { parsePageSize } from './wire/pagination.js';

export interface ModelsRoutesDeps {
  models: InteractiveService;
  maxJsonBodyBytes: number;
}

const MODEL = '(?<model>[^/:]+)';
const MODEL_PAGES = { pageSize: 50, maxPageSize: 1000 };

function requestSignal(context: RouteContext): AbortSignal {
  const controller = new AbortController();
  context.response.on('close', () => {
    if (!context.response.writableFinished) controller.abort(new Error('client went away'));
  });
  return controller.signal;
}

function generateRequest(body: unknown): GenerateContentRequest {
  const request = normalizeMessage(body, 'GenerateContentRequest') as GenerateContentRequest;
  if (!Array.isArray(request.contents) || request.contents.length === 0) throw invalidArgument("missing required field 'contents'");
  return request;
}

function embedRequest(body: unknown, path = ''): EmbedContentRequest {
  const request = normalizeMessage(body, 'EmbedContentRequest', path) as EmbedContentRequest;
  if (!request.content) throw invalidArgument(`missing required field '${path ? `${path}.` : ''}content'`);
  return request;
}

export function modelsRoutes(deps: ModelsRoutesDeps): Route[] {
  const { models } = deps;
  const body = (context: RouteContext): Promise<unknown> => readJsonBody(context.request, deps.maxJsonBodyBytes);
  const model = (context: RouteContext): string => context.params.model ?? '';

  const stream = async (context: RouteContext): Promise<void> => {
    const request = generateRequest(await body(context));
    const signal = requestSignal(context);
    const isSse = context.url.searchParams.get('alt') === 'sse';
    const iterator = models.streamGenerateContent(context.tenantId, model(context), request, signal)[Symbol.asyncIterator]();
    // The first chunk decides the status: errors before it are ordinary error responses.
    const first = await iterator.next();
    const { response } = context;
    response.writeHead(200, { 'content-type': isSse ? 'text/event-stream' : 'application/json; charset=UTF-8', 'cache-control': 'no-cache' });
    if (!isSse) response.write('[');
    let count = 0;
    const write = (chunk: unknown): void => {
      if (isSse) response.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
      else response.write(`${count > 0 ? ',\n' : ''}${JSON.stringify(chunk)}`);
      count++;
    };
    try {
      if (!first.done) write(first.value);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) write(next.value);
    } catch (error) {
      // Mid-stream failures travel as a chunk carrying {"error": …}, which the SDK turns into an ApiError.
      write(errorBody(toResponseError(error)));
    }
    endStream(response, isSse);
  };

  return [
    {
      methods: ['GET'],
      pattern: /^\/v1beta\/models$/,
      handler: async ({ response, url }) => {
        // The model list is small and fixed: its page tokens are plain offsets.
        const all = models.listModels();
        const size = parsePageSize(url, MODEL_PAGES);
        const offset = parseOffsetToken(url);
        const page = all.slice(offset, offset + size);
        const next = offset + size < all.length ? { nextPageToken: Buffer.from(String(offset + size)).toString('base64url') } : {};
        sendJson(response, 200, { ...(page.length > 0 ? { models: page } : {}), ...next });
      },
    },
    {
      methods: ['GET'],
      pattern: new RegExp(`^/v1beta/models/${MODEL}$`),
      handler: async (context) => sendJson(context.response, 200, models.getModel(model(context))),
    },
    {
      methods: ['POST'],
      pattern: new RegExp(`^/v1beta/models/${MODEL}:generateContent$`),
      handler: async (context) => {
        const request = generateRequest(await body(context));
        sendJson(context.response, 200, await models.generateContent(context.tenantId, model(context), request, requestSignal(context)));
      },
    },
    { methods: ['POST'], pattern: new RegExp(`^/v1beta/models/${MODEL}:streamGenerateContent$`), handler: stream },
    {
      methods: ['POST'],
      pattern: new RegExp(`^/v1beta/models/${MODEL}:embedContent$`),
      handler: async (context) => {
        const request = embedRequest(await body(context));
        sendJson(context.response, 200, await models.embedContent(model(context), request, requestSignal(context)));
      },
    },
    {
      methods: ['POST'],
      pattern: new RegExp(`^/v1beta/models/${MODEL}:batchEmbedContents$`),
      handler: async (context) => {
        const raw = objectBody(await body(context), 'BatchEmbedContentsRequest') as { requests?: unknown };
        if (!Array.isArray(raw.requests) || raw.requests.length === 0) throw invalidArgument("missing required field 'requests'");
        const signal = requestSignal(context);
        const requests = raw.requests.map((item, index) => embedRequest(item, `requests[${index}]`));
        const results = await Promise.all(requests.map((request) => models.embedContent(request.model ?? model(context), { ...request, model: undefined }, signal)));
        sendJson(context.response, 200, { embeddings: results.map((result) => result.embedding) });
      },
    },
    {
      methods: ['POST'],
      pattern: new RegExp(`^/v1beta/models/${MODEL}:countTokens$`),
      handler: async (context) => {
        const raw = objectBody(await body(context), 'CountTokensRequest') as { generateContentRequest?: unknown; generate_content_request?: unknown };
        const inner = raw.generateContentRequest ?? raw.generate_content_request;
        const request = inner === undefined ? generateRequest(raw) : generateRequest(inner);
        sendJson(context.response, 200, await models.countTokens(context.tenantId, model(context), request, requestSignal(context)));
      },
    },
  ];
}

/** A body whose fields are read directly must be a JSON object (`null`, `5` or `[]` are 400s, not TypeErrors). */
function objectBody(value: unknown, type: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  throw invalidArgument(`Invalid JSON payload received. A ${type} must be an object, got ${kind}.`);
}

function parseOffsetToken(url: URL): number {
  const raw = url.searchParams.get('pageToken') ?? url.searchParams.get('page_token');
  if (!raw) return 0;
  const offset = Number(Buffer.from(raw, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument(`Invalid pageToken '${raw}'.`);
  return offset;
}

function endStream(response: ServerResponse, isSse: boolean): void {
  if (!isSse) response.write(']');
  response.end();
}

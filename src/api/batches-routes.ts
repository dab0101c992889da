/**
 * Batch Mode routes (docs/wire-contract.md, Batch API): create (generate and embed, and their
 * `?validateOnly=true` dry run), get, list, cancel and delete, including the guide's lenient
 * spellings (`GET …:cancel`, `GET …:delete`).
 */
import { fileIdFromReference } from '../core/file.js';
import type { BatchKind } from '../core/batch.js';
import { AppError, invalidArgument } from '../core/errors.js';
import { modelIdOf } from '../core/model-name.js';
import type { BatchService, SubmitBatchInput } from '../batches/index.js';
import { header, readJsonBody, sendJson, streamTo, type RouteContext } from './http.js';
import type { Route } from './router.js';
import { parseBatchBody, parseDuration } from './wire/batch-body.js';
import { toBatchResource, toOperation } from './wire/batch-operation.js';
import { parseBatchUpdate } from './wire/batch-update-body.js';
import { isValidateOnly, toValidationBody } from './wire/batch-validation-body.js';
import { toProgressBody } from './wire/batch-progress-body.js';
import { parsePageSize, parsePageToken, withNextPageToken } from './wire/pagination.js';

export interface BatchesRoutesDeps {
  batches: BatchService;
  /** Inline batches must stay under this many bytes of request body (Gemini: 20 MB). */
  maxInlineBytes: number;
  stateNames: 'batch' | 'job';
  /** Refuses a webhookConfig URI the destination policy does not allow (throws INVALID_ARGUMENT naming `field`). */
  checkWebhookUri: (uri: string, field: string) => void;
}

const BATCH_ID = '(?<batchId>[^/:]+)';
const MODEL = '(?<model>[^/:]+)';
const BATCH_PAGES = { pageSize: 50, maxPageSize: 1000 };
/** An update body is a batch resource without its requests: small. */
const UPDATE_BODY_BYTES = 1024 * 1024;

export function batchesRoutes(deps: BatchesRoutesDeps): Route[] {
  const { batches } = deps;

  const create = (kind: BatchKind) => async ({ request, response, params, tenantId, url }: RouteContext): Promise<void> => {
    let body: unknown;
    try {
      body = await readJsonBody(request, deps.maxInlineBytes);
    } catch (error) {
      if (error instanceof AppError && error.httpStatus === 413) {
        throw new AppError('INVALID_ARGUMENT', `Inline batch requests must total under ${deps.maxInlineBytes} bytes; upload a JSONL file with the Files API and pass its name instead.`, { httpStatus: 413 });
      }
      throw error;
    }
    const parsed = parseBatchBody(body);
    (parsed.webhookConfig?.uris ?? []).forEach((uri, index) => deps.checkWebhookUri(uri, `batch.webhookConfig.uris[${index}]`));
    const windowHeader = header(request, 'x-batchmode-completion-window');
    const idempotencyKey = header(request, 'idempotency-key');
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 256)) {
      throw invalidArgument('Idempotency-Key must be 1 to 256 characters.');
    }
    const input = {
      idempotencyKey,
      completionWindowMs: windowHeader === undefined ? parsed.completionWindowMs : parseDuration(windowHeader, 'X-Batchmode-Completion-Window'),
      tenantId,
      kind,
      model: modelIdOf(params.model ?? ''),
      displayName: parsed.displayName,
      priority: parsed.priority,
      webhookConfig: parsed.webhookConfig,
      source: parsed.input.kind === 'file'
        ? { kind: 'file', fileId: fileIdFromReference(parsed.input.fileName) }
        : { kind: 'inline', requests: parsed.input.requests },
    } satisfies SubmitBatchInput;
    // batchmode extension: the create's validation only, nothing created (a dry run ignores the Idempotency-Key).
    if (isValidateOnly(url)) {
      sendJson(response, 200, toValidationBody(await batches.validate(input)));
      return;
    }
    const view = await batches.create(input);
    sendJson(response, 200, toOperation(view, { stateNames: deps.stateNames }));
  };

  const cancel = async ({ response, params, tenantId }: RouteContext): Promise<void> => {
    await batches.cancel(tenantId, params.batchId ?? '');
    sendJson(response, 200, {});
  };
  /** `:updateGenerateContentBatch` / `:updateEmbedContentBatch`: the bare batch resource, not an Operation. */
  const update = (kind: BatchKind) => async ({ request, response, params, tenantId, url }: RouteContext): Promise<void> => {
    const fields = parseBatchUpdate(await readJsonBody(request, UPDATE_BODY_BYTES), url);
    const view = await batches.update(tenantId, params.batchId ?? '', kind, fields);
    sendJson(response, 200, toBatchResource(view, { stateNames: deps.stateNames }));
  };
  const remove = async ({ response, params, tenantId }: RouteContext): Promise<void> => {
    await batches.delete(tenantId, params.batchId ?? '');
    sendJson(response, 200, {});
  };

  return [
    { methods: ['POST'], pattern: new RegExp(`^/v1beta/models/${MODEL}:batchGenerateContent$`), handler: create('generate') },
    { methods: ['POST'], pattern: new RegExp(`^/v1beta/models/${MODEL}:asyncBatchEmbedContent$`), handler: create('embed') },
    {
      methods: ['GET'],
      pattern: /^\/v1beta\/batches$/,
      handler: async ({ response, url, tenantId }) => {
        const page = await batches.list(tenantId, parsePageSize(url, BATCH_PAGES), parsePageToken(url));
        const operations = page.batches.map((view) => toOperation(view, { stateNames: deps.stateNames }));
        sendJson(response, 200, withNextPageToken(operations.length > 0 ? { operations } : {}, page.next));
      },
    },
    {
      methods: ['GET'],
      pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}$`),
      handler: async ({ response, params, tenantId }) => {
        const view = await batches.getWithResults(tenantId, params.batchId ?? '');
        sendJson(response, 200, toOperation(view, { inlinedResponses: view.inlinedResponses, stateNames: deps.stateNames }));
      },
    },
    { methods: ['DELETE'], pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}$`), handler: remove },
    { methods: ['POST', 'GET'], pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}:cancel$`), handler: cancel },
    { methods: ['PATCH'], pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}:updateGenerateContentBatch$`), handler: update('generate') },
    { methods: ['PATCH'], pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}:updateEmbedContentBatch$`), handler: update('embed') },
    { methods: ['POST', 'GET', 'DELETE'], pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}:delete$`), handler: remove },
    {
      // batchmode extension: counts, throughput, ETA and why a batch is waiting.
      methods: ['GET'],
      pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}:progress$`),
      handler: async ({ response, params, tenantId }) => {
        sendJson(response, 200, toProgressBody(await batches.progress(tenantId, params.batchId ?? ''), deps.stateNames));
      },
    },
    {
      // batchmode extension: the results finished so far as JSONL; `?follow=true` streams the rest as they land.
      methods: ['GET'],
      pattern: new RegExp(`^/v1beta/batches/${BATCH_ID}:results$`),
      handler: async ({ response, params, tenantId, url }) => {
        const follow = ['true', '1'].includes(url.searchParams.get('follow') ?? '');
        const controller = new AbortController();
        response.on('close', () => controller.abort(new Error('client went away')));
        const lines = await batches.streamResults(tenantId, params.batchId ?? '', { follow, signal: controller.signal });
        response.writeHead(200, { 'content-type': 'application/jsonl; charset=UTF-8', 'cache-control': 'no-cache' });
        // A follower learns at once that the stream is open, even before the first result lands.
        if (follow) response.flushHeaders();
        await streamTo(response, lines);
      },
    },
  ];
}

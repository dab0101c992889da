/**
 * OpenAI's Batch API on the one batch engine: `POST /batches` (an uploaded JSONL file of
 * `{custom_id, method, url, body}` lines → `BatchService.createOpenAI`), `GET /batches/{id}`,
 * `GET /batches` (cursor pages, newest first; native batches are listed too) and
 * `POST /batches/{id}/cancel`. Ids are Google's `batches/<id>` (a bare `<id>` is accepted too);
 * another tenant's batch is a 404 like a missing one. The batch object: wire/batch-object.ts.
 */
import { AppError, invalidArgument } from '../../core/errors.js';
import type { BatchService } from '../../batches/index.js';
import { OpenAIInputError } from '../../openai-compat/index.js';
import { header, readJsonBody, sendJson, type RouteContext } from '../http.js';
import type { Route } from '../router.js';
import { bareId, idSegment, openAIPath } from './paths.js';
import { toOpenAIBatch } from './wire/batch-object.js';
import { parseBatchCreateBody } from './wire/batch-create-body.js';
import { parseAfter, parseLimit, toListPage } from './wire/list-page.js';

export interface OpenAIBatchesRoutesDeps {
  batches: BatchService;
  maxJsonBodyBytes: number;
}

const BATCH = idSegment('batches', 'batchId');
const LIST_LIMIT = { fallback: 20, max: 100 };

export function openAIBatchesRoutes(deps: OpenAIBatchesRoutesDeps): Route[] {
  const { batches } = deps;
  const batchIdOf = (context: RouteContext): string => bareId('batches', context.params.batchId);

  const create = async ({ request, response, tenantId }: RouteContext): Promise<void> => {
    const body = parseBatchCreateBody(await readJsonBody(request, deps.maxJsonBodyBytes));
    const idempotencyKey = header(request, 'idempotency-key');
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 256)) {
      throw invalidArgument('Idempotency-Key must be 1 to 256 characters.');
    }
    try {
      const view = await batches.createOpenAI({
        tenantId, fileId: body.fileId, inputFileId: body.inputFileId, endpoint: body.endpoint,
        completionWindow: body.completionWindow, completionWindowMs: body.completionWindowMs,
        metadata: body.metadata, idempotencyKey,
      });
      sendJson(response, 200, toOpenAIBatch(view));
    } catch (error) {
      // The Files service's 403 for a missing or foreign file is OpenAI's 404 here.
      if (error instanceof AppError && error.status === 'PERMISSION_DENIED') {
        throw new OpenAIInputError(`No such File object: ${body.inputFileId}`, { status: 'NOT_FOUND', param: 'input_file_id' });
      }
      throw error;
    }
  };

  const list = async ({ response, url, tenantId }: RouteContext): Promise<void> => {
    const limit = parseLimit(url, LIST_LIMIT);
    const afterId = parseAfter(url);
    let after: { createTimeMs: number; id: string } | undefined;
    if (afterId !== undefined) {
      const id = bareId('batches', afterId);
      const previous = await batches.get(tenantId, id).catch((error: unknown) => {
        if (error instanceof AppError && error.status === 'NOT_FOUND') {
          throw new OpenAIInputError(`No such Batch object: batches/${id}`, { status: 'NOT_FOUND', param: 'after' });
        }
        throw error;
      });
      after = { createTimeMs: previous.batch.createTimeMs, id };
    }
    const page = await batches.list(tenantId, limit, after);
    sendJson(response, 200, toListPage(page.batches.map(toOpenAIBatch), page.next !== undefined));
  };

  const cancel = async (context: RouteContext): Promise<void> => {
    const id = batchIdOf(context);
    try {
      await batches.cancel(context.tenantId, id);
    } catch (error) {
      // Already ended (or stopping for another reason): OpenAI answers the batch as it is.
      if (!(error instanceof AppError && error.status === 'FAILED_PRECONDITION')) throw error;
    }
    sendJson(context.response, 200, toOpenAIBatch(await batches.get(context.tenantId, id)));
  };

  const route = (methods: string[], path: string, handler: Route['handler']): Route => ({ methods, pattern: openAIPath(path), handler, surface: 'openai' });
  return [
    route(['POST'], 'batches', create),
    route(['GET'], 'batches', list),
    route(['GET'], `batches/${BATCH}`, async (context) => {
      sendJson(context.response, 200, toOpenAIBatch(await batches.get(context.tenantId, batchIdOf(context))));
    }),
    route(['POST'], `batches/${BATCH}/cancel`, cancel),
  ];
}

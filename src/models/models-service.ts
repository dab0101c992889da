/**
 * The interactive model calls a batch user also makes (generateContent, streaming, embeddings,
 * countTokens, models.list/get), routed through the same backend registry as batches. Backend
 * failures become AppErrors with the backend's status (and Retry-After), so the API answers
 * them in the google.rpc shape.
 */
import { BackendError, type ModelBackend } from '../backends/backend.js';
import type { ModelInfo } from '../backends/model-info.js';
import type { BackendRegistry, ResolvedModel } from '../backends/registry.js';
import { AppError, invalidArgument, modelNotFound } from '../core/errors.js';
import type {
  EmbedContentRequest,
  EmbedContentResponse,
  GenerateContentRequest,
  GenerateContentResponse,
} from '../core/gemini-types.js';
import { modelIdOf } from '../core/model-name.js';
import { estimatePromptTokens } from '../core/token-estimate.js';
import type { FileResolver } from '../files/file-resolver.js';
import { reportCachedTokens, withCachedContent, type CacheResolver } from './cached-content-use.js';

export interface InteractiveService {
  listModels(): ModelInfo[];
  getModel(model: string): ModelInfo;
  generateContent(tenantId: string, model: string, request: GenerateContentRequest, signal: AbortSignal): Promise<GenerateContentResponse>;
  streamGenerateContent(tenantId: string, model: string, request: GenerateContentRequest, signal: AbortSignal): AsyncIterable<GenerateContentResponse>;
  embedContent(model: string, request: EmbedContentRequest, signal: AbortSignal): Promise<EmbedContentResponse>;
  countTokens(tenantId: string, model: string, request: GenerateContentRequest, signal: AbortSignal): Promise<TokenCount>;
}

/** countTokens' answer: `cachedContentTokenCount` only when the request names a cache. */
export interface TokenCount {
  totalTokens: number;
  cachedContentTokenCount?: number;
}

export function backendErrorToAppError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error;
  const retryAfter: Record<string, string> = error.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) };
  return new AppError(error.status, error.message, { headers: retryAfter, cause: error });
}

export function createInteractiveService(
  registry: BackendRegistry,
  /** Reads a tenant's uploaded files for `fileData` parts. */
  resolverFor: (tenantId: string) => FileResolver,
  /** Finds a tenant's cache for requests naming one (`cachedContent`); without it the name goes to the backend as sent. */
  resolveCache?: CacheResolver,
): InteractiveService {
  const resolve = (model: string, method: string): ResolvedModel => {
    const resolved = registry.resolve(model);
    if (!resolved) throw modelNotFound(modelIdOf(model), method);
    if (!resolved.info.supportedGenerationMethods.includes(method)) {
      throw invalidArgument(`models/${resolved.id} does not support ${method}.`);
    }
    return resolved;
  };
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw backendErrorToAppError(error);
    }
  };
  const embedder = (resolved: ResolvedModel): NonNullable<ModelBackend['embedContent']> => {
    const embed = resolved.backend.embedContent?.bind(resolved.backend);
    if (!embed) throw invalidArgument(`models/${resolved.id} does not support embedContent.`);
    return embed;
  };

  return {
    listModels: () => registry.list(),
    getModel(model) {
      const resolved = registry.resolve(model);
      if (!resolved) throw new AppError('NOT_FOUND', `Model is not found: models/${modelIdOf(model)} for api version v1beta`);
      return resolved.info;
    },
    async generateContent(tenantId, model, asked, signal) {
      const resolved = resolve(model, 'generateContent');
      const { request, cachedTokens, cache } = await withCachedContent(resolveCache, tenantId, resolved.id, asked);
      const response = await call(() => resolved.backend.generateContent(request, { model: resolved.id, signal, resolveFile: resolverFor(tenantId), ...(cache ? { cache } : {}) }));
      return reportCachedTokens(response, cachedTokens);
    },
    async *streamGenerateContent(tenantId, model, asked, signal) {
      const resolved = resolve(model, 'generateContent');
      const { request, cachedTokens, cache } = await withCachedContent(resolveCache, tenantId, resolved.id, asked);
      const options = { model: resolved.id, signal, resolveFile: resolverFor(tenantId), ...(cache ? { cache } : {}) };
      try {
        if (resolved.backend.streamGenerateContent) {
          for await (const chunk of resolved.backend.streamGenerateContent(request, options)) yield reportCachedTokens(chunk, cachedTokens);
        } else {
          yield reportCachedTokens(await resolved.backend.generateContent(request, options), cachedTokens);
        }
      } catch (error) {
        throw backendErrorToAppError(error);
      }
    },
    embedContent(model, request, signal) {
      const resolved = resolve(model, 'embedContent');
      const embed = embedder(resolved);
      return call(() => embed(request, { model: resolved.id, signal }));
    },
    async countTokens(tenantId, model, asked, signal) {
      const resolved = resolve(model, 'countTokens');
      const { request, cachedTokens, cache } = await withCachedContent(resolveCache, tenantId, resolved.id, asked);
      const count = resolved.backend.countTokens?.bind(resolved.backend);
      const totalTokens = await call(async () => (count ? count(request, { model: resolved.id, signal, ...(cache ? { cache } : {}) }) : estimatePromptTokens(request)));
      return cachedTokens > 0 ? { totalTokens, cachedContentTokenCount: cachedTokens } : { totalTokens };
    },
  };
}

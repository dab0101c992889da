/**
 * Builds the backend registry from the configuration: with a config file, one route per
 * `models[]` entry (tried in order, exact names or globs), each with its own backend instance,
 * limits, call deadline and pricing; without one, the simulated model serves every Gemini model. Part of the
 * composition root: the one place that picks concrete backends. The registry owns them: its
 * `close()` closes each once at shutdown.
 */
import type { ModelBackend } from '../backends/backend.js';
import { createToolRunners, simulatedToolRunners } from '../backends/builtin-tools/tool-runners.js';
import { withBuiltInTools, type BuiltInToolsOptions } from '../backends/builtin-tools/with-built-in-tools.js';
import { withCallLog } from '../backends/call-log.js';
import { globToRegExp, isGlob } from '../lib/glob.js';
import { createGeminiBackend } from '../backends/gemini/gemini-backend.js';
import { describeModel, EMBEDDING_METHODS, GENERATION_METHODS, isImageModelName, type ModelInfo } from '../backends/model-info.js';
import type { OpenAIImageOptions } from '../backends/openai/image-options.js';
import { createOpenAIBackend } from '../backends/openai/openai-backend.js';
import { createBackendRegistry, type BackendRegistry, type ModelRoute } from '../backends/registry.js';
import { createSimulatedBackend } from '../backends/simulated/simulated-backend.js';
import { SIMULATED_MODELS } from '../backends/simulated/simulated-models.js';
import { withCallTimeout } from '../backends/with-call-timeout.js';
import type { Config } from '../config/settings.js';
import type { BackendConfig, ModelConfig } from '../config/model-config-file.js';

export interface ComposedRegistry {
  /** The routes; its `close()` closes every backend's connections, once. */
  registry: BackendRegistry;
  /** One line per route, for the start-up banner. */
  describe(): string[];
}

/**
 * `callTimeoutMs` also becomes the HTTP backends' transport timeout unless `timeoutMs` is set:
 * their own 10-minute default would otherwise cut a route given a longer deadline. `route` says
 * whether its model generates images (`image`, else guessed from its name).
 */
function createBackend(config: BackendConfig, settings: Config, callTimeoutMs: number, route: Pick<ModelConfig, 'name' | 'image'>): ModelBackend {
  switch (config.type) {
    case 'openai':
      return createOpenAIBackend({
        baseUrl: config.baseUrl,
        ...(config.apiKey ? { apiKey: config.apiKey } : {}),
        ...(config.model ? { model: config.model } : {}),
        // A route's `model` names the upstream model for embeddings too, unless embeddingModel says otherwise.
        ...(config.embeddingModel ?? config.model ? { embeddingModel: config.embeddingModel ?? config.model } : {}),
        timeoutMs: config.timeoutMs ?? callTimeoutMs,
        ...(config.maxConnections ? { maxConnections: config.maxConnections } : {}),
        ...(config.headers ? { headers: config.headers } : {}),
        ...openaiImages(config.images, route.image),
        imageModel: route.image ?? isImageModelName(route.name),
      });
    case 'gemini':
      if (!config.apiKey) throw new Error('a gemini backend needs apiKey or apiKeyEnv');
      return createGeminiBackend({
        apiKey: config.apiKey,
        ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
        ...(config.apiVersion ? { apiVersion: config.apiVersion } : {}),
        ...(config.model ? { model: config.model } : {}),
        timeoutMs: config.timeoutMs ?? callTimeoutMs,
        ...(config.maxConnections ? { maxConnections: config.maxConnections } : {}),
        ...(config.headers ? { headers: config.headers } : {}),
      });
    case 'simulated':
      return createSimulatedBackend({
        latencyMs: config.latencyMs ?? settings.simLatencyMs,
        errorRate: config.errorRate ?? settings.simErrorRate,
        faults: config.faults ?? settings.simFaults,
        ...(route.image === true ? { imageModel: true } : {}),
        ...(config.imageSize ? { imageSize: config.imageSize } : {}),
      });
  }
}

/** An openai route's image settings: its `images`, or the defaults for a model marked `image: true`; none: a chat-only route. */
function openaiImages(images: boolean | OpenAIImageOptions | undefined, image: boolean | undefined): { images?: OpenAIImageOptions } {
  if (images === false) return {};
  if (typeof images === 'object') return { images };
  return images === true || image === true ? { images: {} } : {};
}

/** The Model resources a route lists: its exact name, or for a simulated glob the simulated models it matches. */
function listedModels(model: ModelConfig): ModelInfo[] {
  if (isGlob(model.name)) {
    if (model.backend.type !== 'simulated') return [];
    const pattern = globToRegExp(model.name);
    return SIMULATED_MODELS.filter((info) => pattern.test(info.name.replace('models/', '')));
  }
  const described = describeModel(model.name);
  const embedding = model.embedding ?? described.supportedGenerationMethods.includes('embedContent');
  return [{
    ...described,
    supportedGenerationMethods: embedding ? EMBEDDING_METHODS : GENERATION_METHODS,
    ...(model.displayName ? { displayName: model.displayName } : {}),
    ...(model.description ? { description: model.description } : { description: `${model.name}, served by batchmode through its ${model.backend.type} backend` }),
    ...(model.inputTokenLimit ? { inputTokenLimit: model.inputTokenLimit } : {}),
    ...(model.outputTokenLimit ? { outputTokenLimit: model.outputTokenLimit } : {}),
  }];
}

export function composeRegistry(config: Config): ComposedRegistry {
  const logged = (backend: ModelBackend): ModelBackend => (config.simCallLog ? withCallLog(backend, config.simCallLog) : backend);
  const timeoutMsOf = (model: Partial<Pick<ModelConfig, 'timeoutSeconds'>>): number => Math.max(1, Math.round((model.timeoutSeconds ?? config.modelTimeoutSeconds) * 1000));
  const limitsOf = (model: Partial<Pick<ModelConfig, 'maxConcurrency' | 'requestsPerMinute' | 'tokensPerMinute'>>): ModelRoute['limits'] => {
    const requestsPerMinute = model.requestsPerMinute ?? config.modelRequestsPerMinute;
    const tokensPerMinute = model.tokensPerMinute ?? config.modelTokensPerMinute;
    return {
      maxConcurrency: model.maxConcurrency ?? config.modelMaxConcurrency ?? config.workerConcurrency,
      ...(requestsPerMinute ? { requestsPerMinute } : {}),
      ...(tokensPerMinute ? { tokensPerMinute } : {}),
    };
  };

  // Built-in tools (googleSearch, urlContext): run by batchmode for the openai and simulated
  // backends, with one set of runners (one URL cache) for all routes; passed through by gemini.
  const toolSettings = config.tools;
  let runners: BuiltInToolsOptions | undefined;
  const withTools = (type: BackendConfig['type'], backend: ModelBackend): ModelBackend =>
    type === 'gemini' ? backend : withBuiltInTools(backend, type === 'simulated' ? simulatedToolRunners(toolSettings) : (runners ??= createToolRunners(toolSettings)));

  if (!config.models) {
    const simulated = withCallTimeout(logged(withTools('simulated', createSimulatedBackend({ latencyMs: config.simLatencyMs, errorRate: config.simErrorRate, faults: config.simFaults }))), timeoutMsOf({}));
    return {
      registry: createBackendRegistry([{ name: 'gemini-*', backend: simulated, models: SIMULATED_MODELS, limits: limitsOf({}) }]),
      describe: () => [`no model configuration: every Gemini model (${SIMULATED_MODELS.map((model) => model.name.replace('models/', '')).join(', ')}) is served by the built-in simulated model`],
    };
  }
  const routes: ModelRoute[] = config.models.map((model) => {
    const timeoutMs = timeoutMsOf(model);
    const backend = withCallTimeout(logged(withTools(model.backend.type, createBackend(model.backend, config, timeoutMs, model))), timeoutMs);
    return {
      name: model.name, backend, limits: limitsOf(model), models: listedModels(model),
      ...(model.pricing ? { pricing: model.pricing } : {}),
    };
  });
  return {
    registry: createBackendRegistry(routes),
    describe: () => config.models?.map((model) => `${model.name} → ${model.backend.type}${'baseUrl' in model.backend && model.backend.baseUrl ? ` (${model.backend.baseUrl})` : ''}`) ?? [],
  };
}

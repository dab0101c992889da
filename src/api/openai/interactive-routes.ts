/**
 * The OpenAI surface's interactive endpoints, as one list of routes for the composition root:
 * `POST /chat/completions` (streaming too), `POST /embeddings`, `GET /models` and
 * `GET /models/{id}`, each under both roots (`/v1beta/openai/` and `/v1/`). Owns what the route
 * modules share: the bounded JSON body reader, the signal that aborts the model call when
 * the client goes away, and OpenAI's 404 `model_not_found` for a model batchmode does not route.
 */
import { AppError } from '../../core/errors.js';
import type { InteractiveService } from '../../models/index.js';
import { OpenAIInputError } from '../../openai-compat/index.js';
import { readJsonBody, type RouteContext } from '../http.js';
import type { Route } from '../router.js';
import { chatCompletionsRoute } from './chat-completions-route.js';
import { embeddingsRoute } from './embeddings-route.js';
import { modelsRoutes } from './models-routes.js';

export interface OpenAIInteractiveDeps {
  models: InteractiveService;
  maxJsonBodyBytes: number;
}

/** What every interactive route module is handed. */
export interface InteractiveKit {
  models: InteractiveService;
  /** The request's JSON body, refused over `maxJsonBodyBytes` (`{}` when empty). */
  readBody(context: RouteContext): Promise<unknown>;
  /** Aborted when the client closes the connection before the answer is finished. */
  clientSignal(context: RouteContext): AbortSignal;
}

export function openAIInteractiveRoutes(deps: OpenAIInteractiveDeps): Route[] {
  const kit: InteractiveKit = {
    models: deps.models,
    readBody: (context) => readJsonBody(context.request, deps.maxJsonBodyBytes),
    clientSignal,
  };
  return [chatCompletionsRoute(kit), embeddingsRoute(kit), ...modelsRoutes(kit)].map(withModelNotFound);
}

/** The models service's model-not-found (core's modelNotFound, raised before any byte is answered) as OpenAI words it. */
function withModelNotFound(route: Route): Route {
  return {
    ...route,
    handler: async (context) => {
      try {
        await route.handler(context);
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 'NOT_FOUND' || !/^(?:Model is not found: )?models\//.test(error.message)) throw error;
        const model = /models\/\S+/.exec(error.message)?.[0] ?? 'requested';
        throw new OpenAIInputError(`The model '${model}' does not exist or batchmode does not serve it.`, {
          status: 'NOT_FOUND', param: 'model', code: 'model_not_found', cause: error,
        });
      }
    },
  };
}

function clientSignal(context: RouteContext): AbortSignal {
  const controller = new AbortController();
  context.response.on('close', () => {
    if (!context.response.writableFinished) controller.abort(new Error('client went away'));
  });
  return controller.signal;
}

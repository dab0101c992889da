/**
 * `GET /models` and `GET /models/{id}` on the OpenAI surface: every model batchmode routes, as
 * OpenAI's model objects (wire/model-object.ts). The id in the path is accepted with or without
 * `models/` (the SDKs put the whole `models/x` id there, encoded or not); an unknown model is a 404.
 */
import { AppError } from '../../core/errors.js';
import { modelIdOf } from '../../core/model-name.js';
import { OpenAIInputError } from '../../openai-compat/index.js';
import { sendJson } from '../http.js';
import type { Route } from '../router.js';
import type { InteractiveKit } from './interactive-routes.js';
import { toOpenAIModel } from './wire/model-object.js';

export function modelsRoutes(kit: InteractiveKit): Route[] {
  const { models } = kit;
  return [
    {
      methods: ['GET'],
      pattern: /^\/(?:v1beta\/openai|v1)\/models$/,
      surface: 'openai',
      handler: async ({ response }) => {
        sendJson(response, 200, { object: 'list', data: models.listModels().map(toOpenAIModel) });
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/(?:v1beta\/openai|v1)\/models\/(?:models\/)?(?<model>[^/]+)$/,
      surface: 'openai',
      handler: async ({ response, params }) => {
        sendJson(response, 200, toOpenAIModel(getModel(modelIdOf(params.model ?? ''))));
      },
    },
  ];

  /** The model, or OpenAI's 404 `model_not_found`. */
  function getModel(id: string): { name: string } {
    try {
      return models.getModel(id);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 'NOT_FOUND') throw error;
      throw new OpenAIInputError(`The model 'models/${id}' does not exist.`, { status: 'NOT_FOUND', code: 'model_not_found', cause: error });
    }
  }
}

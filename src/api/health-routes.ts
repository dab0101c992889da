/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its store answers too). */
import { AppError } from '../core/errors.js';
import { sendJson } from './http.js';
import type { Route } from './router.js';

export function healthRoutes(deps: { ping: () => Promise<void> }): Route[] {
  return [
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/healthz$/,
      isPublic: true,
      handler: async ({ response }) => sendJson(response, 200, { status: 'ok' }),
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/readyz$/,
      isPublic: true,
      handler: async ({ response }) => {
        try {
          await deps.ping();
        } catch (error) {
          throw new AppError('UNAVAILABLE', 'The metadata store does not answer.', { cause: error });
        }
        sendJson(response, 200, { status: 'ready' });
      },
    },
  ];
}

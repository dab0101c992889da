/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its store answers too,
 * within a bound: a store that is down or hangs makes it 503 UNAVAILABLE, never a wait).
 */
import { AppError } from '../core/errors.js';
import { sendJson } from './http.js';
import type { Route } from './router.js';

/** How long `/readyz` waits for the store before calling it unavailable. */
const DEFAULT_READY_TIMEOUT_MS = 5_000;

export function healthRoutes(deps: { ping: () => Promise<void>; readyTimeoutMs?: number }): Route[] {
  const timeoutMs = deps.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
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
          await withTimeout(deps.ping(), timeoutMs);
        } catch (error) {
          throw new AppError('UNAVAILABLE', 'The metadata store does not answer.', { cause: error });
        }
        sendJson(response, 200, { status: 'ready' });
      },
    },
  ];
}

/** `promise`, or a rejection once `ms` have passed (the promise itself runs on, unheard). */
function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // a late failure after the timeout must not go unhandled
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Model name → backend and limits. Routes are tried in order; a route's name is an exact model
 * id or a glob (`gemini-*`). Explicitly described models are listed by models.list; a glob
 * route serves any matching name. The registry owns its routes' backends: its `close()` closes them.
 */
import { modelIdOf } from '../core/model-name.js';
import { globToRegExp, isGlob } from '../lib/glob.js';
import type { Pricing } from '../core/usage.js';
import type { ModelBackend } from './backend.js';
import { describeModel, type ModelInfo } from './model-info.js';

export interface ModelLimits {
  /** Most calls in flight at once for this model (per worker process). */
  maxConcurrency: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface ModelRoute {
  /** Exact model id or glob with `*`. */
  name: string;
  backend: ModelBackend;
  limits: ModelLimits;
  /** Models this route lists in models.list (defaults to the route name when it has no `*`). */
  models?: readonly ModelInfo[];
  /** Prices for cost estimates. */
  pricing?: Pricing;
}

export interface ResolvedModel {
  /** The model id, without `models/`. */
  id: string;
  backend: ModelBackend;
  limits: ModelLimits;
  info: ModelInfo;
  /** Which route matched (limits are shared per route). */
  routeName: string;
  pricing: Pricing | undefined;
}

export interface BackendRegistry {
  resolve(model: string): ResolvedModel | undefined;
  list(): ModelInfo[];
  /**
   * Closes every route's backend once (a backend serving several routes is closed once), at
   * shutdown; later calls answer the first call's promise.
   */
  close(): Promise<void>;
}

export function createBackendRegistry(routes: readonly ModelRoute[]): BackendRegistry {
  const compiled = routes.map((route) => ({
    route,
    pattern: globToRegExp(route.name),
    described: new Map((route.models ?? []).map((info) => [modelIdOf(info.name), info])),
  }));
  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= Promise.all([...new Set(routes.map((route) => route.backend))].map(async (backend) => backend.close?.())).then(() => undefined);
      return closed;
    },
    resolve(model) {
      const id = modelIdOf(model);
      for (const { route, pattern, described } of compiled) {
        const info = described.get(id) ?? (pattern.test(id) ? describeModel(id) : undefined);
        if (info) return { id, backend: route.backend, limits: route.limits, info, routeName: route.name, pricing: route.pricing };
      }
      return undefined;
    },
    list() {
      const seen = new Set<string>();
      const models: ModelInfo[] = [];
      for (const { route, described } of compiled) {
        const infos = described.size > 0 ? [...described.values()] : isGlob(route.name) ? [] : [describeModel(route.name)];
        for (const info of infos) {
          if (seen.has(info.name)) continue;
          seen.add(info.name);
          models.push(info);
        }
      }
      return models;
    },
  };
}

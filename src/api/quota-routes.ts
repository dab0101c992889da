/**
 * `GET /v1beta/quota` (a batchmode extension): the caller's quotas and what it uses now, read
 * only. `limits` holds the limits in force (one left out is unlimited; `largestFileBytes` is the
 * smaller of the tenant's quota and `--max-upload-bytes`), `usage` the current use of each.
 */
import { limitsFor, type QuotaConfig } from '../core/quota.js';
import type { QuotaUsageRepository } from '../store/store.js';
import { sendJson } from './http.js';
import type { Route } from './router.js';

export interface QuotaRoutesDeps {
  quotas: QuotaConfig;
  usage: QuotaUsageRepository;
  /** `--max-upload-bytes`: the largest file whatever the quotas say. */
  maxUploadBytes: number;
}

export function quotaRoutes(deps: QuotaRoutesDeps): Route[] {
  return [
    {
      methods: ['GET'],
      pattern: /^\/v1beta\/quota$/,
      handler: async ({ response, tenantId }) => {
        const limits = limitsFor(deps.quotas, tenantId);
        const usage = await deps.usage.usage(tenantId);
        const defined = Object.fromEntries(Object.entries({
          ...limits,
          largestFileBytes: Math.min(limits.largestFileBytes ?? Infinity, deps.maxUploadBytes),
        }).filter((entry) => entry[1] !== undefined));
        sendJson(response, 200, {
          tenantId,
          limits: defined,
          usage: {
            storedFileBytes: usage.storedFileBytes,
            activeBatches: usage.activeBatches,
            enqueuedTokensByModel: usage.enqueuedTokensByModel,
          },
        });
      },
    },
  ];
}

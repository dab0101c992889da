/**
 * `GET /v1beta/workers` (a batchmode extension): the worker processes alive now, their load,
 * and the shards they hold of the caller's batches.
 */
import type { WorkerDirectory } from '../worker/worker-directory.js';
import { sendJson } from './http.js';
import type { Route } from './router.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function workersRoutes(deps: { directory: WorkerDirectory }): Route[] {
  return [
    {
      methods: ['GET'],
      pattern: /^\/v1beta\/workers$/,
      handler: async ({ response, tenantId }) => {
        const views = await deps.directory.list(tenantId);
        sendJson(response, 200, {
          workers: views.map(({ worker, heldShardCount, leases }) => ({
            name: `workers/${worker.id}`,
            host: worker.host,
            pid: worker.pid,
            role: worker.role,
            version: worker.version,
            concurrency: worker.concurrency,
            inFlightRequests: worker.inFlight,
            startTime: iso(worker.startedAtMs),
            lastHeartbeatTime: iso(worker.heartbeatAtMs),
            heldShardCount,
            leases: leases.map((lease) => ({
              batch: `batches/${lease.batchId}`,
              shard: lease.shardIndex,
              requestCount: lease.requestCount,
              completedCount: lease.succeededCount + lease.failedCount,
              leaseExpireTime: iso(lease.leaseExpiresMs),
            })),
          })),
        });
      },
    },
  ];
}

/**
 * Work-queue metrics, from the `shardClaimed` event: shards claimed by this process's workers,
 * and among them takeovers (the previous holder's lease had lapsed: a crash or a stall).
 */
import { Counter, type Registry } from 'prom-client';
import type { EngineEventListener } from '../../core/engine-events.js';
import type { BoundedLabel } from './bounded-label.js';

export function registerShardMetrics(registry: Registry, modelLabel: BoundedLabel): EngineEventListener {
  const claims = new Counter({
    name: 'batchmode_shard_claims_total', help: "Shards claimed by this process's workers, by model.",
    labelNames: ['model'] as const, registers: [registry],
  });
  const takeovers = new Counter({
    name: 'batchmode_shard_takeovers_total', help: "Shards claimed after their previous holder's lease lapsed (a crashed or stalled worker), by model.",
    labelNames: ['model'] as const, registers: [registry],
  });
  return {
    shardClaimed({ model: name, takeover }) {
      const model = modelLabel(name);
      claims.inc({ model });
      if (takeover) takeovers.inc({ model });
    },
  };
}

/** `batchmode quota`: the caller's quotas (limits) and what it uses now (`GET /v1beta/quota`). */
import type { Command } from 'commander';
import type { QuotaView } from '../client/wire-types.js';
import { addClientOptions, clientFrom, printJson, runClientAction, type ClientOptions } from './client-command.js';
import { formatBytes, formatCount, renderTable } from './output/format.js';

/** One row per quota: name, limit ("unlimited" when none), current use. */
export function quotaRows(view: QuotaView): string[][] {
  const { limits, usage } = view;
  const limit = (value: number | undefined, format: (n: number) => string): string => (value === undefined ? 'unlimited' : format(value));
  const rows = [
    ['stored file bytes', limit(limits.storedFileBytes, formatBytes), formatBytes(usage.storedFileBytes)],
    ['largest file', limit(limits.largestFileBytes, formatBytes), '-'],
    ['concurrent batches', limit(limits.activeBatches, formatCount), formatCount(usage.activeBatches)],
    ['requests per batch', limit(limits.requestsPerBatch, formatCount), '-'],
  ];
  const models = Object.entries(usage.enqueuedTokensByModel);
  if (models.length === 0) rows.push(['enqueued tokens per model', limit(limits.enqueuedTokensPerModel, formatCount), '0']);
  for (const [model, tokens] of models) {
    rows.push([`enqueued tokens (${model})`, limit(limits.enqueuedTokensPerModel, formatCount), formatCount(tokens)]);
  }
  return rows;
}

export function registerQuotaCommand(program: Command): Command {
  return addClientOptions(program.command('quota').description("Show this key's quotas and current use (batchmode servers only)"))
    .action(runClientAction(async (options: ClientOptions) => {
      const { client, json } = clientFrom(options);
      const view = await client.getQuota();
      if (json) return printJson(view);
      process.stdout.write(`tenant ${view.tenantId}\n`);
      process.stdout.write(renderTable(['QUOTA', 'LIMIT', 'IN USE'], quotaRows(view)));
    }));
}

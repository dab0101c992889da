/**
 * `batchmode batches update <name> --priority N`: changes a batch's priority
 * (`:updateGenerateContentBatch`, or `:updateEmbedContentBatch` for an embeddings batch, chosen
 * from the batch's own type). A higher priority runs first; shards already running finish as
 * they are.
 */
import type { Command } from 'commander';
import { resourceName } from '../client/api-client.js';
import { kindOfBatch } from './batch-kind.js';
import { printJson } from './client-command.js';
import { addClientAction } from './client-subcommands.js';
import { CliExit, EXIT } from './exit-codes.js';
import { integer } from './input-options.js';

interface UpdateFlags {
  priority?: string;
  json?: boolean;
  baseUrl?: string;
  apiKey?: string;
}

export function registerUpdateCommand(batches: Command): void {
  const command = batches
    .command('update')
    .description("Change a batch's priority (higher runs first)")
    .argument('<name>', 'batch name (batches/ID or ID)')
    .option('--priority <n>', 'the new priority');
  addClientAction(command, async (name: string, flags: UpdateFlags, { client, json }) => {
    if (flags.priority === undefined) throw new CliExit(EXIT.USAGE, 'nothing to update: pass --priority <n>');
    const priority = integer('--priority', flags.priority);
    const full = resourceName('batches', name);
    const kind = await kindOfBatch(client, await client.getBatch(full));
    await client.updateBatch(full, kind, { priority });
    if (json) return printJson({ name: full, priority });
    process.stdout.write(`updated ${full}: priority ${priority}\n`);
  });
}

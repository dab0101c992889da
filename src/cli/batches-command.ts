/**
 * `batchmode batches list|get|cancel|delete|results|update`: batch jobs on a batchmode server
 * (or Google's). `get` adds what `:progress` says (rate, ETA, why it waits, queue position) and
 * the usage and cost so far.
 */
import type { Command } from 'commander';
import { resourceName, type ApiClient } from '../client/api-client.js';
import { ApiError } from '../client/api-error.js';
import { countsOf, inlinedResponsesOf, responsesFileOf, shortState, type BatchOperation } from '../client/wire-types.js';
import { addClientOptions, clientFrom, printFields, printJson, runClientAction, shortTime, type ClientOptions } from './client-command.js';
import { addListCommand, addNamedAction } from './client-subcommands.js';
import { isGoogleEndpoint } from './estimate.js';
import { formatCount, renderTable } from './output/format.js';
import { numbersOf, progressRows, type ProgressFields } from './progress-view.js';
import { registerResultsCommand } from './results-command.js';
import { registerUpdateCommand } from './update-command.js';

/** Registers `batches` and its subcommands; returns the group so more (e.g. `watch`) can be added. */
export function registerBatchesCommand(program: Command): Command {
  const batches = program.command('batches').description('List, inspect, cancel and delete batch jobs, and fetch their results');

  const printBatches = (items: BatchOperation[]): void => void process.stdout.write(renderTable(['NAME', 'STATE', 'DONE/TOTAL', 'FAILED', 'MODEL', 'CREATED'], items.map(batchRow)));
  addListCommand(batches, { collection: 'batches', description: 'List batches, newest first', list: (client, size, token) => client.listBatches(size, token), print: printBatches });

  addClientOptions(batches.command('get').argument('<name>', 'batch name (batches/ID or ID)').description('Show a batch'))
    .action(runClientAction(async (name: string, options: ClientOptions) => {
      const { client, json } = clientFrom(options);
      const full = resourceName('batches', name);
      const [operation, progress] = await Promise.all([client.getBatch(full), progressOf(client, full)]);
      if (json) return printJson(progress ? { ...operation, progress } : operation);
      const counts = countsOf(operation);
      const meta = operation.metadata ?? {};
      const priority = (meta as { priority?: string }).priority;
      printFields([
        ['name', operation.name],
        ['display name', meta.displayName],
        ['model', meta.model],
        ['state', shortState(meta.state)],
        ['requests', `${formatCount(counts.total)} (${formatCount(counts.succeeded)} succeeded, ${formatCount(counts.failed)} failed, ${formatCount(counts.pending)} pending)`],
        ...progressRows(numbersOf(progress, operation), operation, progress !== undefined),
        ['priority', priority],
        ['created', shortTime(meta.createTime)],
        ['ended', shortTime(meta.endTime)],
        ['results file', responsesFileOf(operation)],
        ['inline results', inlinedResponsesOf(operation) ? `${inlinedResponsesOf(operation)?.length} (batchmode batches results ${operation.name})` : undefined],
        ['error', operation.error?.message],
      ]);
    }));

  const named = { collection: 'batches', argument: 'batch name' } as const;
  addNamedAction(batches, { ...named, verb: 'cancel', done: 'cancelled', description: 'Cancel a batch (finished results are kept)', act: (client, full) => client.cancelBatch(full) });
  addNamedAction(batches, { ...named, verb: 'delete', done: 'deleted', description: 'Delete a batch (cancels it if running)', act: (client, full) => client.deleteBatch(full) });

  registerResultsCommand(batches);
  registerUpdateCommand(batches);

  return batches;
}

function batchRow(operation: BatchOperation): string[] {
  const counts = countsOf(operation);
  const meta = operation.metadata ?? {};
  return [
    operation.name, shortState(meta.state), `${counts.succeeded + counts.failed}/${counts.total}`, String(counts.failed),
    (meta.model ?? '').replace(/^models\//, ''), shortTime(meta.createTime),
  ];
}

/** The batch's `:progress`, or undefined where the server has none (Google's) or it fails. */
async function progressOf(client: ApiClient, name: string): Promise<ProgressFields | undefined> {
  if (isGoogleEndpoint(client.baseUrl)) return undefined;
  try {
    return await client.getProgress(name);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}

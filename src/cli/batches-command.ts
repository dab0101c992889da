/** `batchmode batches list|get|cancel|delete|results`: batch jobs on a batchmode server (or Google's). */
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { resourceName, type ApiClient } from '../client/api-client.js';
import { countsOf, inlinedResponsesOf, isTerminalState, responsesFileOf, shortState, type BatchOperation } from '../client/wire-types.js';
import { addClientOptions, clientFrom, printFields, printJson, runClientAction, shortTime, type ClientOptions } from './client-command.js';
import { addListCommand, addNamedAction } from './client-subcommands.js';
import { CliExit, EXIT } from './exit-codes.js';
import { formatBytes, formatCount, renderTable } from './output/format.js';

/** Registers `batches` and its subcommands; returns the group so more (e.g. `watch`) can be added. */
export function registerBatchesCommand(program: Command): Command {
  const batches = program.command('batches').description('List, inspect, cancel and delete batch jobs, and fetch their results');

  const printBatches = (items: BatchOperation[]): void => void process.stdout.write(renderTable(['NAME', 'STATE', 'DONE/TOTAL', 'FAILED', 'MODEL', 'CREATED'], items.map(batchRow)));
  addListCommand(batches, { collection: 'batches', description: 'List batches, newest first', list: (client, size, token) => client.listBatches(size, token), print: printBatches });

  addClientOptions(batches.command('get').argument('<name>', 'batch name (batches/ID or ID)').description('Show a batch'))
    .action(runClientAction(async (name: string, options: ClientOptions) => {
      const { client, json } = clientFrom(options);
      const operation = await client.getBatch(resourceName('batches', name));
      if (json) return printJson(operation);
      const counts = countsOf(operation);
      const meta = operation.metadata ?? {};
      printFields([
        ['name', operation.name],
        ['display name', meta.displayName],
        ['model', meta.model],
        ['state', shortState(meta.state)],
        ['requests', `${formatCount(counts.total)} (${formatCount(counts.succeeded)} succeeded, ${formatCount(counts.failed)} failed, ${formatCount(counts.pending)} pending)`],
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

  addClientOptions(batches.command('results').argument('<name>', 'batch name').description('Write a finished batch\'s results (JSONL) to a file or stdout'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(runClientAction(async (name: string, options: ClientOptions & { output?: string }) => {
      const { client, json } = clientFrom(options);
      const operation = await client.getBatch(resourceName('batches', name));
      const bytes = await writeResults(client, operation, name, options.output);
      if (options.output === undefined) return;
      if (json) return printJson({ name: operation.name, output: options.output, bytes });
      process.stdout.write(`saved results of ${operation.name} to ${options.output} (${formatBytes(bytes)})\n`);
    }));

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

/** Downloads the results file, or writes inline results as JSONL; resolves the bytes written. */
async function writeResults(client: ApiClient, operation: BatchOperation, name: string, output: string | undefined): Promise<number> {
  const state = operation.metadata?.state;
  if (operation.done !== true && !isTerminalState(state)) {
    throw new CliExit(EXIT.FAILURE, `batch is ${shortState(state)}; results are available when it ends (batchmode batches watch ${name})`);
  }
  const file = responsesFileOf(operation);
  if (file !== undefined) {
    return output === undefined ? client.downloadFileTo(file, process.stdout) : client.downloadFile(file, output);
  }
  const inlined = inlinedResponsesOf(operation);
  if (inlined === undefined) throw new CliExit(EXIT.FAILURE, `batch ${operation.name} has no results (${shortState(state)})`);
  const destination = output === undefined ? process.stdout : createWriteStream(output);
  let bytes = 0;
  for (const item of inlined) {
    const line = `${JSON.stringify(item)}\n`;
    bytes += Buffer.byteLength(line);
    destination.write(line);
  }
  if (destination !== process.stdout) {
    destination.end();
    await finished(destination);
  }
  return bytes;
}

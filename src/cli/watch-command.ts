/** `batchmode batches watch <name> [-o F]`: the live progress of a batch; its results when it ends. */
import type { Command } from 'commander';
import { resourceName } from '../client/api-client.js';
import { pollOption } from './client-command.js';
import { addClientAction } from './client-subcommands.js';
import { EXIT } from './exit-codes.js';
import { downloadResults, exitCodeOf } from './submit-flow.js';
import { watchBatch } from './watch-batch.js';

interface WatchFlags {
  output?: string;
  pollSeconds?: string;
  json?: boolean;
  baseUrl?: string;
  apiKey?: string;
}

/** Adds `watch` to the `batches` command group. */
export function registerWatchCommand(batches: Command): void {
  const command = batches
    .command('watch')
    .description('Show live progress until the batch ends (Ctrl-C: cancel it or leave it running)')
    .argument('<name>', 'batches/<id> or <id>')
    .option('-o, --output <file>', 'download the results here when it ends')
    .option('--poll-seconds <seconds>', 'how often to poll (default 1)');
  addClientAction(command, async (name: string, flags: WatchFlags, { client, json }) => {
    const watched = await watchBatch({ client, name: resourceName('batches', name), ...pollOption(flags.pollSeconds) });
    if (watched.kind === 'ended' && flags.output) await downloadResults(client, watched.operation, flags.output, process.stderr);
    if (json) process.stdout.write(`${JSON.stringify(watched.operation)}\n`);
    process.exitCode = watched.kind === 'left' ? EXIT.INTERRUPTED : exitCodeOf(watched.operation);
  });
}

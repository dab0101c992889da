/** `batchmode submit <input> --model M [--wait] [--output F] …`: a file of prompts to a batch (and its results). */
import type { Command } from 'commander';
import { pollOption } from './client-command.js';
import { addClientAction } from './client-subcommands.js';
import { addBatchOptions, addInputOptions, batchOptionsOf, convertOptionsOf, type BatchFlags, type InputFlags } from './input-options.js';
import { submitBatch } from './submit-flow.js';

interface SubmitFlags extends InputFlags, BatchFlags {
  model: string;
  wait?: boolean;
  output?: string;
  pollSeconds?: string;
  yes?: boolean;
  idempotencyKey?: string;
  json?: boolean;
  baseUrl?: string;
  apiKey?: string;
}

export function registerSubmitCommand(program: Command): void {
  const command = program
    .command('submit')
    .description('Upload a file of requests (JSONL), prompts (one per line) or a CSV, show the estimate, and create a batch (once: a rerun finds it)')
    .argument('<input>', 'JSONL requests, a text file with one prompt per line, or a CSV (with --prompt-column)')
    .requiredOption('-m, --model <model>', 'model, e.g. gemini-2.5-flash')
    .option('-w, --wait', 'watch the batch until it ends, then download its results')
    .option('-o, --output <file>', 'where --wait writes the results (default <batch-id>.results.jsonl; a .csv with a CSV input: its rows plus the results)')
    .option('-y, --yes', 'create without asking (on a terminal, submit asks after showing the estimate)')
    .option('--idempotency-key <key>', 'the create\'s Idempotency-Key (default: derived from the input and options, so a rerun finds the batch)')
    .option('--poll-seconds <seconds>', 'how often --wait polls (default 1)');
  addBatchOptions(addInputOptions(command));
  addClientAction(command, async (inputPath: string, flags: SubmitFlags, { client, json }) => {
    const outcome = await submitBatch(client, {
      inputPath, model: flags.model, wait: flags.wait === true,
      ...convertOptionsOf(flags),
      ...batchOptionsOf(flags),
      ...(flags.embeddings ? { embeddings: true } : {}),
      ...(flags.output ? { outputPath: flags.output } : {}),
      ...(flags.yes ? { yes: true } : {}),
      ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
      ...pollOption(flags.pollSeconds),
    });
    process.stdout.write(json ? `${JSON.stringify(outcome)}\n` : `${outcome.batch}\n`);
    process.exitCode = outcome.exitCode;
  });
}

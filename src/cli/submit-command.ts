/** `batchmode submit <input> --model M [--wait] [--output F]`: a file of prompts to a batch (and its results). */
import type { Command } from 'commander';
import type { InputFormat } from '../client/batch-input.js';
import { pollOption } from './client-command.js';
import { addClientAction } from './client-subcommands.js';
import { submitBatch } from './submit-flow.js';

interface SubmitFlags {
  model: string;
  wait?: boolean;
  output?: string;
  displayName?: string;
  format?: InputFormat;
  promptColumn?: string;
  keyColumn?: string;
  pollSeconds?: string;
  json?: boolean;
  baseUrl?: string;
  apiKey?: string;
}

export function registerSubmitCommand(program: Command): void {
  const command = program
    .command('submit')
    .description('Upload a file of requests (JSONL), prompts (one per line) or a CSV, and create a batch')
    .argument('<input>', 'JSONL requests, a text file with one prompt per line, or a CSV (with --prompt-column)')
    .requiredOption('-m, --model <model>', 'model, e.g. gemini-2.5-flash')
    .option('-w, --wait', 'watch the batch until it ends, then download its results')
    .option('-o, --output <file>', 'where --wait writes the results (default <batch-id>.results.jsonl)')
    .option('--display-name <name>', "the batch's and the uploaded file's display name")
    .option('--format <format>', 'jsonl | text | csv (default: from the extension)')
    .option('--prompt-column <column>', 'CSV: the column holding the prompt (header name or 1-based number)')
    .option('--key-column <column>', 'CSV: the column holding the key (default row-<n>)')
    .option('--poll-seconds <seconds>', 'how often --wait polls (default 1)');
  addClientAction(command, async (inputPath: string, flags: SubmitFlags, { client, json }) => {
    const outcome = await submitBatch(client, {
      inputPath, model: flags.model, wait: flags.wait === true,
      ...(flags.output ? { outputPath: flags.output } : {}),
      ...(flags.displayName ? { displayName: flags.displayName } : {}),
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.promptColumn ? { promptColumn: flags.promptColumn } : {}),
      ...(flags.keyColumn ? { keyColumn: flags.keyColumn } : {}),
      ...pollOption(flags.pollSeconds),
    });
    process.stdout.write(json ? `${JSON.stringify(outcome)}\n` : `${outcome.batch}\n`);
    process.exitCode = outcome.exitCode;
  });
}

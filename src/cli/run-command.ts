/**
 * `batchmode run <input> --model M -o results.jsonl`: the one-command path. Starts an embedded
 * server in this process (on a free local port, a temporary data directory unless --data-dir,
 * a one-off key), submits the file, shows progress, writes the results and exits. Models come
 * from --config (or BATCHMODE_CONFIG); without one the simulated model answers. Ctrl-C cancels
 * the batch and still writes the results finished so far.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { createApiClient } from '../client/api-client.js';
import type { InputFormat } from '../client/batch-input.js';
import { loadConfig } from '../config/settings.js';
import { createLogger } from '../lib/logger.js';
import { runClientAction } from './client-command.js';
import { submitBatch } from './submit-flow.js';

interface RunFlags {
  model: string;
  output?: string;
  config?: string;
  dataDir?: string;
  format?: InputFormat;
  promptColumn?: string;
  keyColumn?: string;
  concurrency?: string;
  json?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Process a file in one go: an embedded server runs for the duration, results are written, then it exits')
    .argument('<input>', 'JSONL requests, a text file with one prompt per line, or a CSV (with --prompt-column)')
    .requiredOption('-m, --model <model>', 'model, e.g. gemini-2.5-flash')
    .option('-o, --output <file>', 'results file (default <input name>.results.jsonl)')
    .option('--config <file>', 'model configuration file (backends: OpenAI-compatible, Gemini, simulated) [BATCHMODE_CONFIG]')
    .option('--data-dir <dir>', 'keep the server state here (default: a temporary directory, removed after)')
    .option('--format <format>', 'jsonl | text | csv (default: from the extension)')
    .option('--prompt-column <column>', 'CSV: the column holding the prompt')
    .option('--key-column <column>', 'CSV: the column holding the key')
    .option('--concurrency <n>', 'requests in flight at once [BATCHMODE_WORKER_CONCURRENCY]')
    .option('--json', 'print a JSON summary on stdout')
    .action(
      runClientAction(async (inputPath: string, flags: RunFlags) => {
        const dataDir = flags.dataDir ?? mkdtempSync(join(tmpdir(), 'batchmode-run-'));
        const apiKey = randomBytes(16).toString('hex');
        const config = loadConfig({
          port: '0', dataDir, apiKeys: apiKey, databaseUrl: undefined, blobUrl: undefined,
          ...(flags.config ? { configFile: flags.config } : {}),
          ...(flags.concurrency ? { workerConcurrency: flags.concurrency } : {}),
          logLevel: 'warn', shutdownGraceSeconds: '2',
        });
        // Imported when used: commands that do not start a server do not load one.
        const { startServer } = await import('../server/start-api.js');
        const server = await startServer(config, createLogger({ level: 'warn' }));
        try {
          const client = createApiClient({ baseUrl: server.url, apiKey });
          const outcome = await submitBatch(client, {
            inputPath, model: flags.model, wait: true, onInterrupt: 'cancel', pollMs: 250, yes: true,
            outputPath: flags.output ?? `${basename(inputPath, extname(inputPath))}.results.jsonl`,
            ...(flags.format ? { format: flags.format } : {}),
            ...(flags.promptColumn ? { promptColumn: flags.promptColumn } : {}),
            ...(flags.keyColumn ? { keyColumn: flags.keyColumn } : {}),
          });
          if (flags.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
          process.exitCode = outcome.state === 'CANCELLED' ? 130 : outcome.exitCode;
        } finally {
          await server.close();
          if (!flags.dataDir) rmSync(dataDir, { recursive: true, force: true });
        }
      }),
    );
}

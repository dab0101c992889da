/** `batchmode serve`: the API server on the embedded default (SQLite + local disk). */
import type { Command } from 'commander';
import { describeSettings, loadConfig, type ConfigFlags } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { startServer } from '../main.js';

export function registerServeCommand(program: Command): void {
  const command = program.command('serve').description('Run the batchmode API server (and its batch workers)');
  for (const setting of describeSettings()) command.option(`${setting.flag} <value>`, `${setting.help} [${setting.env}]`);
  command
    .action(async (options: ConfigFlags) => {
      const config = loadConfig(options);
      const logger = createLogger({ level: config.logLevel });
      const server = await startServer(config, logger);
      const out = process.stdout;
      out.write(`batchmode listening on ${server.url}\n`);
      out.write(`  data directory: ${config.dataDir}\n`);
      if (server.generatedKey) {
        out.write(`  generated API key (stored in ${config.dataDir}/api-key): ${server.generatedKey}\n`);
      } else {
        out.write(`  API keys: ${server.apiKeys.length} configured${config.apiKeys.length === 0 ? ` (from ${config.dataDir}/api-key)` : ''}\n`);
      }
      for (const route of server.routes) out.write(`  models: ${route}\n`);
      out.write(`  try: GOOGLE_GEMINI_BASE_URL=${server.url} GEMINI_API_KEY=<key> with @google/genai or google-genai\n`);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) process.exit(130);
        stopping = true;
        logger.info('shutting down', { signal });
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error('shutdown failed', { error });
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}

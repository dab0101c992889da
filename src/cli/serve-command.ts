/** `batchmode serve`: the API server (with its own batch workers unless --workers=false). */
import type { Command } from 'commander';
import { describeSettings, loadConfig, type ConfigFlags } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { startServer } from '../main.js';
import { stopOnSignals } from './stop-on-signals.js';

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
      out.write(`  storage: ${server.storage}\n`);
      if (server.generatedKey) {
        out.write(`  generated API key (stored in ${config.dataDir}/api-key): ${server.generatedKey}\n`);
      } else {
        out.write(`  API keys: ${server.apiKeys.length} configured${config.apiKeys.length === 0 ? ` (from ${config.dataDir}/api-key)` : ''}\n`);
      }
      for (const route of server.routes) out.write(`  models: ${route}\n`);
      out.write(`  try: GOOGLE_GEMINI_BASE_URL=${server.url} GEMINI_API_KEY=<key> with @google/genai or google-genai\n`);
      stopOnSignals(() => server.close(), logger);
    });
}

/** `batchmode serve`: the API server (with its own batch workers unless --workers=false). */
import type { Command } from 'commander';
import type { Config } from '../config/settings.js';
import { createLogger } from '../lib/logger.js';
import { installProcessWarnings } from '../observability/process-warnings.js';
import { registerSettingsCommand, type Env, type ServerCommandRun } from './setting-options.js';
import { stopOnSignals } from './stop-on-signals.js';

/** Starts the server, prints its banner and stops it on SIGTERM / SIGINT. */
async function serve(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  // Node's and libraries' warnings (the AWS SDK's, printed when the S3 client is made) as JSON log lines.
  installProcessWarnings(logger);
  // Imported when used: `batchmode --version` and the client commands do not load the server.
  const { startServer } = await import('../server/start-api.js');
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
}

/** `run` and `env` (default: the process environment, read by config.ts) are replaceable for tests of the option parsing. */
export function registerServeCommand(program: Command, run: ServerCommandRun = serve, env?: Env): void {
  registerSettingsCommand(program, 'serve', 'Run the batchmode API server (and its batch workers)', run, env);
}

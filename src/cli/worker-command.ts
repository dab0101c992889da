/** `batchmode worker`: batch workers only, sharing a PostgreSQL store with the API processes. */
import type { Command } from 'commander';
import type { Config } from '../config/settings.js';
import { createLogger } from '../lib/logger.js';
import { installProcessWarnings } from '../observability/process-warnings.js';
import { registerSettingsCommand, type Env, type ServerCommandRun } from './setting-options.js';
import { stopOnSignals } from './stop-on-signals.js';

/** Starts the workers, prints their banner and stops them on SIGTERM / SIGINT. */
async function work(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  // Node's and libraries' warnings (the AWS SDK's, printed when the S3 client is made) as JSON log lines.
  installProcessWarnings(logger);
  const { startWorker } = await import('../server/start-worker.js');
  const worker = await startWorker(config, logger);
  const out = process.stdout;
  out.write(`batchmode worker ${worker.id} running\n`);
  out.write(`  storage: ${worker.storage}\n`);
  out.write(`  concurrency: ${config.workerConcurrency} requests, lease ${config.leaseSeconds} s\n`);
  for (const route of worker.routes) out.write(`  models: ${route}\n`);
  if (worker.metricsUrl) out.write(`  metrics: ${worker.metricsUrl}\n`);
  stopOnSignals(() => worker.close(), logger);
}

/** `run` and `env` (default: the process environment, read by config.ts) are replaceable for tests of the option parsing. */
export function registerWorkerCommand(program: Command, run: ServerCommandRun = work, env?: Env): void {
  registerSettingsCommand(program, 'worker', 'Run batch workers only (scale-out: needs --database-url)', run, env);
}

/** `batchmode worker`: batch workers only, sharing a PostgreSQL store with the API processes. */
import type { Command } from 'commander';
import { describeSettings, loadConfig, type ConfigFlags } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { startWorker } from '../worker-main.js';
import { stopOnSignals } from './stop-on-signals.js';

export function registerWorkerCommand(program: Command): void {
  const command = program.command('worker').description('Run batch workers only (scale-out: needs --database-url)');
  for (const setting of describeSettings()) command.option(`${setting.flag} <value>`, `${setting.help} [${setting.env}]`);
  command.action(async (options: ConfigFlags) => {
    const config = loadConfig(options);
    const logger = createLogger({ level: config.logLevel });
    const worker = await startWorker(config, logger);
    const out = process.stdout;
    out.write(`batchmode worker ${worker.id} running\n`);
    out.write(`  storage: ${worker.storage}\n`);
    out.write(`  concurrency: ${config.workerConcurrency} requests, lease ${config.leaseSeconds} s\n`);
    for (const route of worker.routes) out.write(`  models: ${route}\n`);
    stopOnSignals(() => worker.close(), logger);
  });
}

/** The `batchmode` command line. */
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { ConfigFileError } from '../config-file.js';
import { DataDirInUseError } from '../store/local/data-dir-lock.js';
import { registerServeCommand } from './serve-command.js';
import { registerWorkerCommand } from './worker-command.js';

const program = new Command('batchmode')
  .description('Self-hosted Gemini API Batch Mode')
  .version('0.1.0')
  .showHelpAfterError();
registerServeCommand(program);
registerWorkerCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ConfigFileError || error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`batchmode: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

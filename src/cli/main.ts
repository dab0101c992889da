/** The `batchmode` command line. */
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { ConfigFileError } from '../config-file.js';
import { DataDirInUseError } from '../store/local/data-dir-lock.js';
import { VERSION } from '../version.js';
import { registerBatchesCommand } from './batches-command.js';
import { registerFilesCommand } from './files-command.js';
import { registerModelsCommand } from './models-command.js';
import { registerRunCommand } from './run-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSubmitCommand } from './submit-command.js';
import { registerWatchCommand } from './watch-command.js';
import { registerWorkerCommand } from './worker-command.js';

const program = new Command('batchmode')
  .description('Self-hosted Gemini API Batch Mode')
  .version(VERSION)
  .showHelpAfterError();
registerServeCommand(program);
registerWorkerCommand(program);
registerSubmitCommand(program);
registerRunCommand(program);
registerWatchCommand(registerBatchesCommand(program));
registerFilesCommand(program);
registerModelsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ConfigFileError || error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`batchmode: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

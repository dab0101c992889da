/**
 * The `batchmode` command line. Commander's own usage errors (an unknown option or command, a
 * missing or extra argument) print one line and a hint, and exit with status 2 (EXIT.USAGE),
 * like every other usage error; --help and --version exit 0.
 */
import { Command } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { DataDirInUseError } from '../store/local/data-dir-lock.js';
import { installLastResort } from '../lib/last-resort.js';
import { createLogger } from '../lib/logger.js';
import { VERSION } from '../core/version.js';
import { EXIT } from './exit-codes.js';
import { registerBatchesCommand } from './batches-command.js';
import { registerCompletionCommand } from './completion-command.js';
import { registerFilesCommand } from './files-command.js';
import { registerModelsCommand } from './models-command.js';
import { registerQuotaCommand } from './quota-command.js';
import { registerResubmitCommand } from './resubmit-command.js';
import { registerRotateWebhookKeyCommand } from './rotate-webhook-key-command.js';
import { registerRunCommand } from './run-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSubmitCommand } from './submit-command.js';
import { registerValidateCommand } from './validate-command.js';
import { registerWatchCommand } from './watch-command.js';
import { registerWorkerCommand } from './worker-command.js';

const program = new Command('batchmode')
  .description('Self-hosted Gemini API Batch Mode')
  .version(VERSION)
  // Set before the commands are added: subcommands inherit both.
  .showHelpAfterError('(add --help for usage)')
  .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE));
registerServeCommand(program);
registerWorkerCommand(program);
registerSubmitCommand(program);
registerValidateCommand(program);
registerResubmitCommand(program);
registerRunCommand(program);
registerWatchCommand(registerBatchesCommand(program));
registerFilesCommand(program);
registerModelsCommand(program);
registerQuotaCommand(program);
registerRotateWebhookKeyCommand(program);
registerCompletionCommand(program);

// A bug that escapes every handler ends the process loudly (status 70) instead of leaving it
// running in an unknown state; see lib/last-resort.ts.
installLastResort(createLogger({ level: 'error' }));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT.USAGE);
  }
  process.stderr.write(`batchmode: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

/**
 * `batchmode validate <input> -m M`: checks a file before spending anything. The input is
 * converted as `submit` converts it, uploaded, and checked by the server's own dry run of the
 * create (every line, as the create would), then the uploaded file is deleted. Prints the
 * request count, the estimated input tokens and input cost, or the refused lines as
 * `input:line: message`. Exit 0 valid, 4 some lines refused, 1 the check itself failed, 2 bad
 * usage. Needs a batchmode server (Google's endpoint has no dry run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { convertBatchInput, InputError } from '../client/batch-input.js';
import { kindForModel } from './batch-kind.js';
import { printFields, printJson } from './client-command.js';
import { addClientAction } from './client-subcommands.js';
import { estimateFields, formatLineErrors, InvalidLinesError, isGoogleEndpoint, validateFile } from './estimate.js';
import { CliExit, EXIT } from './exit-codes.js';
import { addInputOptions, convertOptionsOf, type InputFlags } from './input-options.js';
import { uploadRequestFile } from './submit-request-file.js';

interface ValidateFlags extends InputFlags {
  model: string;
  json?: boolean;
  baseUrl?: string;
  apiKey?: string;
}

export function registerValidateCommand(program: Command): void {
  const command = program
    .command('validate')
    .description("Check every line of an input as the server's create would, and estimate its tokens and cost (creates nothing)")
    .argument('<input>', 'JSONL requests, a text file with one prompt per line, or a CSV (with --prompt-column)')
    .requiredOption('-m, --model <model>', 'model, e.g. gemini-2.5-flash');
  addInputOptions(command);
  addClientAction(command, async (inputPath: string, flags: ValidateFlags, { client, json }) => {
    if (isGoogleEndpoint(client.baseUrl)) throw new CliExit(EXIT.USAGE, "validate needs a batchmode server: Google's endpoint has no dry-run create");
    const model = flags.model.replace(/^models\//, '');
    const kind = await kindForModel(client, model, flags.embeddings);
    const work = mkdtempSync(join(tmpdir(), 'batchmode-validate-'));
    try {
      const requestFile = join(work, `${basename(inputPath)}.requests.jsonl`);
      const converted = await convertBatchInput(inputPath, requestFile, { ...convertOptionsOf(flags), kind, passUnreadable: true }).catch((error: unknown) => {
        if (error instanceof InputError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliExit(EXIT.USAGE, (error as Error).message);
        throw error;
      });
      const file = await uploadRequestFile(client, requestFile, { displayName: `validate ${basename(inputPath)}`, requestCount: converted.count }, process.stderr);
      try {
        const validation = await validateFile(client, model, kind, file.name, converted.sourceLine);
        if (json) return printJson({ valid: true, input: inputPath, kind, ...validation });
        process.stdout.write(`${inputPath}: valid for ${model}${kind === 'embed' ? ' (embeddings)' : ''}\n`);
        printFields(estimateFields(validation));
      } catch (error) {
        if (!(error instanceof InvalidLinesError)) throw error;
        if (json) printJson({ valid: false, input: inputPath, kind, errors: error.errors, ...(error.note ? { note: error.note } : {}) });
        else process.stdout.write(formatLineErrors(inputPath, error.errors) + (error.note ? `${error.note}\n` : ''));
        throw error;
      } finally {
        await client.deleteFile(file.name).catch(() => undefined);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** `batchmode files list|upload|get|download|delete`: the Files API of a batchmode server (or Google's). */
import type { Command } from 'commander';
import { resourceName } from '../client/api-client.js';
import type { FileResource } from '../client/wire-types.js';
import { addClientOptions, clientFrom, printFields, printJson, runClientAction, shortTime, type ClientOptions } from './client-command.js';
import { addListCommand, addNamedAction } from './client-subcommands.js';
import { formatBytes, renderTable } from './output/format.js';
import { createProgressBar } from './output/progress-bar.js';

/** Registers `files` and its subcommands; returns the group. */
export function registerFilesCommand(program: Command): Command {
  const files = program.command('files').description('Upload, list, download and delete files');

  addListCommand(files, { collection: 'files', description: 'List files', list: (client, size, token) => client.listFiles(size, token), print: printFiles });

  addClientOptions(files.command('upload').argument('<path>', 'local file').description('Upload a file (resumable, 8 MiB chunks)'))
    .option('--display-name <name>', 'display name (default: the file name)')
    .option('--mime-type <type>', 'MIME type (default: the server guesses)')
    .action(runClientAction(async (path: string, options: ClientOptions & { displayName?: string; mimeType?: string }) => {
      const { client, json } = clientFrom(options);
      const bar = process.stdout.isTTY ? createProgressBar(process.stderr, 'uploading') : undefined;
      const file = await client.uploadFile(path, {
        ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
        ...(options.mimeType !== undefined ? { mimeType: options.mimeType } : {}),
        onProgress: (sent, total) => bar?.update(total === 0 ? 1 : sent / total, `${formatBytes(sent)} / ${formatBytes(total)}`),
      });
      bar?.clear();
      if (json) return printJson(file);
      process.stdout.write(`uploaded ${file.name} (${sizeOf(file)})\n`);
    }));

  addClientOptions(files.command('get').argument('<name>', 'file name (files/ID or ID)').description('Show a file\'s metadata'))
    .action(runClientAction(async (name: string, options: ClientOptions) => {
      const { client, json } = clientFrom(options);
      const file = await client.getFile(resourceName('files', name));
      if (json) return printJson(file);
      printFields([
        ['name', file.name], ['display name', file.displayName], ['mime type', file.mimeType], ['size', sizeOf(file)],
        ['sha256', file.sha256Hash], ['state', file.state], ['source', file.source],
        ['created', shortTime(file.createTime)], ['expires', shortTime(file.expirationTime)], ['uri', file.uri],
      ]);
    }));

  addClientOptions(files.command('download').argument('<name>', 'file name').description('Download a file\'s bytes to a file or stdout'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(runClientAction(async (name: string, options: ClientOptions & { output?: string }) => {
      const { client, json } = clientFrom(options);
      const full = resourceName('files', name);
      if (options.output === undefined) {
        await client.downloadFileTo(full, process.stdout);
        return;
      }
      const bytes = await client.downloadFile(full, options.output);
      if (json) return printJson({ name: full, output: options.output, bytes });
      process.stdout.write(`downloaded ${full} to ${options.output} (${formatBytes(bytes)})\n`);
    }));

  addNamedAction(files, { collection: 'files', verb: 'delete', done: 'deleted', argument: 'file name', description: 'Delete a file', act: (client, full) => client.deleteFile(full) });

  return files;
}

function sizeOf(file: FileResource): string {
  return file.sizeBytes === undefined ? '' : formatBytes(Number(file.sizeBytes));
}

function printFiles(files: FileResource[]): void {
  const rows = files.map((file) => [file.name, file.displayName ?? '', sizeOf(file), shortTime(file.createTime), shortTime(file.expirationTime)]);
  process.stdout.write(renderTable(['NAME', 'DISPLAY NAME', 'SIZE', 'CREATED', 'EXPIRES'], rows));
}

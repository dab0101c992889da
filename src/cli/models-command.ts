/** `batchmode models list`: the models a server offers. */
import type { Command } from 'commander';
import { addClientOptions, clientFrom, collectPages, printJson, runClientAction, type ClientOptions } from './client-command.js';
import { renderTable } from './output/format.js';

/** Registers `models` and its `list` subcommand; returns the group. */
export function registerModelsCommand(program: Command): Command {
  const models = program.command('models').description('List the models the server offers');
  addClientOptions(models.command('list').description('List models (every page)'))
    .action(runClientAction(async (options: ClientOptions) => {
      const { client, json } = clientFrom(options);
      const { items } = await collectPages((size, token) => client.listModels(size, token), undefined, true);
      if (json) return printJson({ models: items });
      const rows = items.map((model) => [model.name, model.displayName ?? '', (model.supportedGenerationMethods ?? []).join(', ')]);
      process.stdout.write(renderTable(['NAME', 'DISPLAY NAME', 'METHODS'], rows));
    }));
  return models;
}

/**
 * Builders for the client subcommands that differ only in what they call: a command of one
 * argument run with the client, `list` (one page or all), and the actions on one named resource
 * (`cancel`, `delete`).
 */
import type { Command } from 'commander';
import { resourceName, type ApiClient } from '../client/api-client.js';
import { addClientOptions, clientFrom, collectPages, parsePageSize, printJson, runClientAction, type ClientOptions } from './client-command.js';

/** What a client command's action gets besides its argument and flags. */
export interface ClientContext {
  client: ApiClient;
  /** `--json`: print JSON instead of text. */
  json: boolean;
}

/** Adds the client flags to a command of one argument and runs `run` with the client they give. */
export function addClientAction<F extends ClientOptions>(
  command: Command,
  run: (argument: string, flags: F, context: ClientContext) => Promise<void>,
): void {
  addClientOptions(command).action(runClientAction(async (argument: string, flags: F) => run(argument, flags, clientFrom(flags))));
}

/** One page of a list call. */
export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

/** The collections the client commands list and act on. */
export type Collection = 'batches' | 'files';

/** Adds `list` to `group`: one page (or every page with `--all`), as a table or JSON. */
export function addListCommand<T>(group: Command, spec: {
  collection: Collection;
  description: string;
  list: (client: ApiClient, pageSize?: number, pageToken?: string) => Promise<Page<T>>;
  /** Writes the items as text. */
  print: (items: T[]) => void;
}): void {
  addClientOptions(group.command('list').description(spec.description))
    .option('--page-size <n>', `${spec.collection} per page`)
    .option('--all', 'follow every page')
    .action(runClientAction(async (options: ClientOptions & { pageSize?: string; all?: boolean }) => {
      const { client, json } = clientFrom(options);
      const page = await collectPages((size, token) => spec.list(client, size, token), parsePageSize(options.pageSize), options.all === true);
      if (json) return printJson({ [spec.collection]: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
      spec.print(page.items);
      if (page.nextPageToken) process.stderr.write(`(more ${spec.collection}: pass --all)\n`);
    }));
}

/** Adds `<verb> <name>` to `group`: `act` on the full resource name, then `<done> <name>` (JSON `{name, <done>: true}`). */
export function addNamedAction(group: Command, spec: {
  collection: Collection;
  verb: string;
  /** What it did, in the output line and as the JSON field: `cancelled`, `deleted`. */
  done: string;
  argument: string;
  description: string;
  act: (client: ApiClient, name: string) => Promise<void>;
}): void {
  addClientOptions(group.command(spec.verb).argument('<name>', spec.argument).description(spec.description))
    .action(runClientAction(async (name: string, options: ClientOptions) => {
      const { client, json } = clientFrom(options);
      const full = resourceName(spec.collection, name);
      await spec.act(client, full);
      if (json) return printJson({ name: full, [spec.done]: true });
      process.stdout.write(`${spec.done} ${full}\n`);
    }));
}

/**
 * The options of the server commands (`serve`, `worker`): one per setting of config.ts, and the
 * way back from commander's parsed options to setting names.
 *
 * Commander stores an option's value under a name it derives from the flag (`--config` →
 * `config`), which need not be the setting's name (`configFile`): reading `opts()` as if it were
 * keyed by setting names silently dropped such a flag. Here each Option reports its own
 * attributeName(), and the values are mapped back through that table, so a flag can be spelled
 * however its documentation wants and still reach its setting.
 */
import { Option, type Command } from 'commander';
import { describeSettings, loadConfig, type Config, type ConfigFlags, type SettingName } from '../config/settings.js';

/** Environment variables, as config.ts reads them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Adds every setting's flag to `command`; returns the reader of its parsed values, by setting name. */
export function addSettingOptions(command: Command): (parsed: Readonly<Record<string, unknown>>) => ConfigFlags {
  const settingOf = new Map<string, SettingName>();
  for (const setting of describeSettings()) {
    const option = new Option(`${setting.flag} <value>`, `${setting.help} [${setting.env}]`);
    const attribute = option.attributeName();
    const taken = settingOf.get(attribute);
    if (taken !== undefined) throw new Error(`the flags of the settings ${taken} and ${setting.name} are both stored as ${attribute}`);
    settingOf.set(attribute, setting.name);
    command.addOption(option);
  }
  return (parsed) => {
    const flags: ConfigFlags = {};
    for (const [attribute, name] of settingOf) {
      const value = parsed[attribute];
      if (typeof value === 'string') flags[name] = value;
    }
    return flags;
  };
}

/** What a server command does with its configuration (tests capture it instead of starting a server). */
export type ServerCommandRun = (config: Config) => Promise<void>;

/** Registers a command taking every setting, whose action loads the Config (flags, then `env`, default the process's) and runs. */
export function registerSettingsCommand(program: Command, name: string, description: string, run: ServerCommandRun, env?: Env): Command {
  const command = program.command(name).description(description);
  const flagsOf = addSettingOptions(command);
  command.action(async () => run(loadConfig(flagsOf(command.opts()), env)));
  return command;
}

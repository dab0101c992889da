/**
 * Every setting reaches the Config through the command line the user types: for each entry of
 * describeSettings(), its flag and its environment variable are each parsed by the real
 * `serve` and `worker` commands (commander, the option table of setting-options.ts, loadConfig)
 * and must change the loaded Config. A setting added without a sample value here, or whose flag
 * or variable is lost on the way, fails this file. Also: unknown options are usage errors, and
 * the README's configuration table lists exactly these flags and variables.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { registerServeCommand } from '../cli/serve-command.js';
import type { Env } from '../cli/setting-options.js';
import { registerWorkerCommand } from '../cli/worker-command.js';
import { describeSettings, type Config, type SettingName } from './settings.js';

const work = mkdtempSync(join(tmpdir(), 'batchmode-settings-'));
const modelsFile = join(work, 'models.yaml');
writeFileSync(modelsFile, 'models:\n  - name: local-model\n    backend: { type: simulated }\n    timeoutSeconds: 30\n');

/** A valid value for every setting, different from its default. */
const SAMPLES: Record<SettingName, string> = {
  host: '0.0.0.0',
  port: '9123',
  dataDir: join(work, 'data'),
  databaseUrl: 'postgres://batch:secret@db.example:5432/batchmode',
  databaseSchema: 'tenant_a',
  blobUrl: 's3://bucket/prefix',
  publicUrl: 'https://batch.example.com/',
  configFile: modelsFile,
  apiKeys: 'key-one,key-two',
  logLevel: 'debug',
  fileRetentionHours: '12',
  maxUploadBytes: '1048576',
  uploadIdleHours: '2',
  workerConcurrency: '8',
  workerThreads: '3',
  shardSize: '50',
  prefixWindow: '0',
  completionWindowHours: '6',
  leaseSeconds: '7',
  maxAttempts: '2',
  workers: 'false',
  modelMaxConcurrency: '3',
  modelRequestsPerMinute: '60',
  modelTokensPerMinute: '1000',
  modelTimeoutSeconds: '30',
  simLatencyMs: '5',
  simErrorRate: '0.25',
  simFaults: '[{"match":"poison","error":"INVALID_ARGUMENT"}]',
  simCallLog: join(work, 'calls.log'),
  stateNames: 'job',
  shutdownGraceSeconds: '3',
  webhookRetryHours: '2',
  webhookTimeoutSeconds: '4',
  webhookDestinations: 'public',
  metricsToken: 'scrape-token-0123456789',
  metricsPort: '9464',
};

/** Parses `batchmode <command> <args>` with `env` as the environment; returns the Config its action got. */
async function parse(command: 'serve' | 'worker', args: readonly string[], env: Env): Promise<Config> {
  const program = new Command('batchmode').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  let loaded: Config | undefined;
  const capture = async (config: Config): Promise<void> => {
    loaded = config;
  };
  registerServeCommand(program, capture, env);
  registerWorkerCommand(program, capture, env);
  await program.parseAsync([command, ...args], { from: 'user' });
  assert.ok(loaded, `${command} ran no action`);
  return loaded;
}

after(() => rmSync(work, { recursive: true, force: true }));

test('every setting has a sample value, and flags and variables are unique', () => {
  const settings = describeSettings();
  assert.deepEqual(Object.keys(SAMPLES).sort(), settings.map((setting) => setting.name).sort(), 'add a non-default sample value for each new setting to SAMPLES');
  assert.equal(new Set(settings.map((setting) => setting.flag)).size, settings.length);
  assert.equal(new Set(settings.map((setting) => setting.env)).size, settings.length);
  for (const setting of settings) assert.match(setting.env, /^BATCHMODE_[A-Z_]+$/);
});

for (const command of ['serve', 'worker'] as const) {
  describe(`batchmode ${command}: each flag and each variable changes the Config`, () => {
    for (const setting of describeSettings()) {
      test(`${setting.flag} / ${setting.env}`, async () => {
        const baseline = await parse(command, [], {});
        const sample = SAMPLES[setting.name];
        const fromFlag = await parse(command, [setting.flag, sample], {});
        const fromEnv = await parse(command, [], { [setting.env]: sample });
        assert.notDeepEqual(fromFlag[setting.name], baseline[setting.name], `${setting.flag} ${sample} left ${setting.name} at ${JSON.stringify(baseline[setting.name])}`);
        assert.deepEqual(fromEnv[setting.name], fromFlag[setting.name], `${setting.env}=${sample} and ${setting.flag} ${sample} disagree`);
        // `--flag=value` is the same flag.
        assert.deepEqual((await parse(command, [`${setting.flag}=${sample}`], {}))[setting.name], fromFlag[setting.name]);
      });
    }

    test('--config loads the model routes', async () => {
      assert.equal((await parse(command, [], {})).models, undefined);
      const config = await parse(command, ['--config', modelsFile], {});
      assert.equal(config.configFile, modelsFile);
      assert.deepEqual(config.models?.map((model) => [model.name, model.timeoutSeconds]), [['local-model', 30]]);
    });

    test('an unknown option or an extra argument is a usage error', async () => {
      await assert.rejects(parse(command, ['--no-such-flag'], {}), (error: unknown) => error instanceof CommanderError && error.code === 'commander.unknownOption');
      await assert.rejects(parse(command, ['extra'], {}), (error: unknown) => error instanceof CommanderError && error.code === 'commander.excessArguments');
    });
  });
}

test("README's configuration table lists every setting's flag and variable, and no other flag", () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration');
  assert.ok(start >= 0, 'README has a Configuration section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `--'));
  const flagsInTable = new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(--[a-z-]+)`/g)].map((match) => match[1])));
  const envsInTable = rows.flatMap((row) => [...(row.split('|')[2] ?? '').matchAll(/`(BATCHMODE_[A-Z_]+\*?)`/g)].map((match) => match[1] ?? ''));
  const settings = describeSettings();
  for (const setting of settings) {
    assert.ok(flagsInTable.has(setting.flag), `README's table lacks ${setting.flag}`);
    assert.ok(envsInTable.some((env) => env === setting.env || (env.endsWith('*') && setting.env.startsWith(env.slice(0, -1)))), `README's table lacks ${setting.env}`);
  }
  for (const flag of flagsInTable) assert.ok(settings.some((setting) => setting.flag === flag), `README documents ${flag}, which is no setting`);
});

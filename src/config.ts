/**
 * The one place settings are read. Precedence: command-line flags > environment variables
 * (BATCHMODE_*) > defaults. The result is a frozen, typed Config; nothing else in batchmode
 * reads process.env.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS } from './lib/logger.js';

const GIB = 1024 * 1024 * 1024;

/** Every setting, its unit in its name, its default, and the env var that sets it. */
const SETTINGS = {
  host: { env: 'BATCHMODE_HOST', flag: '--host', schema: z.string().min(1).default('127.0.0.1') },
  port: { env: 'BATCHMODE_PORT', flag: '--port', schema: z.coerce.number().int().min(0).max(65535).default(8080) },
  dataDir: { env: 'BATCHMODE_DATA_DIR', flag: '--data-dir', schema: z.string().min(1).default('./batchmode-data') },
  publicUrl: {
    env: 'BATCHMODE_PUBLIC_URL', flag: '--public-url',
    schema: z.url({ protocol: /^https?$/ }).optional(),
  },
  apiKeys: {
    env: 'BATCHMODE_API_KEYS', flag: '--api-keys',
    schema: z.string().optional().transform((value) =>
      (value ?? '').split(',').map((key) => key.trim()).filter((key) => key.length > 0)),
  },
  logLevel: { env: 'BATCHMODE_LOG_LEVEL', flag: '--log-level', schema: z.enum(LOG_LEVELS).default('info') },
  fileRetentionHours: {
    env: 'BATCHMODE_FILE_RETENTION_HOURS', flag: '--file-retention-hours',
    schema: z.coerce.number().positive().default(48),
  },
  maxUploadBytes: {
    env: 'BATCHMODE_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes',
    schema: z.coerce.number().int().positive().default(2 * GIB),
  },
  /** Abandoned resumable uploads are removed after this long without a chunk. */
  uploadIdleHours: {
    env: 'BATCHMODE_UPLOAD_IDLE_HOURS', flag: '--upload-idle-hours',
    schema: z.coerce.number().positive().default(24),
  },
  shutdownGraceSeconds: {
    env: 'BATCHMODE_SHUTDOWN_GRACE_SECONDS', flag: '--shutdown-grace-seconds',
    schema: z.coerce.number().nonnegative().default(10),
  },
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export type Config = Readonly<{ [K in SettingName]: z.output<Settings[K]['schema']> }>;
/** Values given on the command line, by setting name (commander gives strings). */
export type ConfigFlags = Partial<Record<SettingName, string | number | undefined>>;

/** Builds the Config; a bad value fails with a message that names the flag and the env var. */
export function loadConfig(
  flags: ConfigFlags = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Settings[SettingName]][]) {
    const raw = flags[name] ?? emptyToUndefined(env[setting.env]);
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const issue = parsed.error.issues[0]?.message ?? 'invalid value';
      problems.push(`${setting.flag} / ${setting.env}: ${issue} (got ${JSON.stringify(raw)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  values.dataDir = resolve(values.dataDir as string);
  return Object.freeze(values) as Config;
}

/** A configuration problem; the CLI prints its message and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

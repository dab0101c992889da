/**
 * The one place settings are read. Precedence: command-line flags > environment variables
 * (BATCHMODE_*) > defaults. The result is a frozen, typed Config; nothing else in batchmode
 * reads process.env.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { keyFilePath } from '../auth/key-file.js';
import { DEFAULT_CALL_TIMEOUT_MS } from '../backends/backend.js';
import { simulatedFaultSchema } from '../backends/simulated/simulated-fault.js';
import { ConfigError } from './config-error.js';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, splitApiKeys } from './defaults.js';
import { loadConfigFile, MAX_TIMEOUT_SECONDS, type ModelConfig } from './model-config-file.js';
import type { ToolsConfig } from './tools-config.js';
import { DEFAULT_QUOTAS, withLargestFileDefault, type QuotaConfig } from '../core/quota.js';
import { LOG_LEVELS } from '../lib/logger.js';

const GIB = 1024 * 1024 * 1024;

/** Every setting, its unit in its name, its default, and the env var that sets it. */
const SETTINGS = {
  host: { env: 'BATCHMODE_HOST', flag: '--host', help: 'address to listen on (default 127.0.0.1)', schema: z.string().min(1).default('127.0.0.1') },
  port: {
    env: 'BATCHMODE_PORT', flag: '--port', help: `port to listen on, 0 for any free port (default ${DEFAULT_PORT})`,
    schema: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
  },
  dataDir: {
    env: 'BATCHMODE_DATA_DIR', flag: '--data-dir', help: `database, file bytes and generated key (default ${DEFAULT_DATA_DIR})`,
    schema: z.string().min(1).default(DEFAULT_DATA_DIR),
  },
  /** Scale-out: PostgreSQL in place of the data directory's SQLite file. */
  databaseUrl: {
    env: 'BATCHMODE_DATABASE_URL', flag: '--database-url', help: 'PostgreSQL URL (postgres://…): metadata and shard queue shared by many processes (default: SQLite in the data directory)',
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  },
  databaseSchema: {
    env: 'BATCHMODE_DATABASE_SCHEMA', flag: '--database-schema', help: "PostgreSQL schema for batchmode's tables, created if missing (default: the server's search_path)",
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be a plain SQL identifier').optional(),
  },
  /** Scale-out: an S3-compatible bucket in place of the data directory's blobs/ folder. */
  blobUrl: {
    env: 'BATCHMODE_BLOB_URL', flag: '--blob-url', help: 's3://bucket/prefix for file bytes; endpoint and credentials from the AWS_* env vars (default: the data directory)',
    schema: z.string().regex(/^s3:\/\/[^/]{3,}/, 'must look like s3://bucket/prefix').optional(),
  },
  publicUrl: {
    env: 'BATCHMODE_PUBLIC_URL', flag: '--public-url', help: 'the URL clients reach this server at, used in upload URLs and file uris',
    schema: z.url({ protocol: /^https?$/ }).optional(),
  },
  /** The model configuration file (JSON or YAML); without one, the simulated model serves every Gemini model. */
  configFile: {
    env: 'BATCHMODE_CONFIG', flag: '--config', help: 'model configuration file, JSON or YAML (see README)',
    schema: z.string().optional(),
  },
  apiKeys: {
    env: 'BATCHMODE_API_KEYS', flag: '--api-keys', help: 'comma-separated API keys, each its own tenant (default: one generated key)',
    schema: z.string().optional().transform(splitApiKeys),
  },
  logLevel: { env: 'BATCHMODE_LOG_LEVEL', flag: '--log-level', help: 'debug | info | warn | error | silent (default info)', schema: z.enum(LOG_LEVELS).default('info') },
  fileRetentionHours: {
    env: 'BATCHMODE_FILE_RETENTION_HOURS', flag: '--file-retention-hours', help: 'hours a file is kept after upload (default 48)',
    schema: z.coerce.number().positive().default(48),
  },
  maxUploadBytes: {
    env: 'BATCHMODE_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes', help: 'largest file accepted (default 2147483648)',
    schema: z.coerce.number().int().positive().default(2 * GIB),
  },
  /** Abandoned resumable uploads are removed after this long without a chunk. */
  uploadIdleHours: {
    env: 'BATCHMODE_UPLOAD_IDLE_HOURS', flag: '--upload-idle-hours', help: 'hours an unfinished upload is kept without a chunk (default 24)',
    schema: z.coerce.number().positive().default(24),
  },
  workerConcurrency: {
    env: 'BATCHMODE_WORKER_CONCURRENCY', flag: '--worker-concurrency', help: 'requests in flight at once per worker process (default 64)',
    schema: z.coerce.number().int().positive().default(64),
  },
  /**
   * Batch workers in this process: 1 on the main thread, or N > 1 each on a thread of its own
   * (server/worker-threads.ts), so that a fast backend's batch uses more than one core.
   */
  workerThreads: {
    env: 'BATCHMODE_WORKER_THREADS', flag: '--worker-threads',
    help: 'batch workers in this process: 1 runs on the main thread, more each on a thread of its own; each is a worker of its own, with its own concurrency and per-model limits (default 1)',
    schema: z.coerce.number().int().min(1).max(64).default(1),
  },
  /** Requests per shard: the unit a worker claims, and the most a crash can make it redo. */
  shardSize: { env: 'BATCHMODE_SHARD_SIZE', flag: '--shard-size', help: 'requests per shard (default 1000)', schema: z.coerce.number().int().positive().default(1000) },
  /** Requests a worker reads ahead and sends grouped by prompt prefix, so a backend's prefix cache stays warm (worker/prefix-window.ts). */
  prefixWindow: {
    env: 'BATCHMODE_PREFIX_WINDOW', flag: '--prefix-window',
    help: 'requests read ahead and grouped by shared prompt prefix before dispatch; 0 = file order (default 256)',
    schema: z.coerce.number().int().min(0).default(256),
  },
  completionWindowHours: {
    env: 'BATCHMODE_COMPLETION_WINDOW_HOURS', flag: '--completion-window-hours', help: 'hours a batch may take before it expires (default 48)',
    schema: z.coerce.number().positive().default(48),
  },
  leaseSeconds: { env: 'BATCHMODE_LEASE_SECONDS', flag: '--lease-seconds', help: 'shard lease length: a dead worker loses its shards after it (default 30)', schema: z.coerce.number().positive().default(30) },
  /** Tries per request, the first included (retryable failures only). */
  maxAttempts: { env: 'BATCHMODE_MAX_ATTEMPTS', flag: '--max-attempts', help: 'tries per request for retryable failures, the first included (default 5)', schema: z.coerce.number().int().min(1).default(5) },
  /** Whether `serve` also runs batch workers in its process. */
  workers: {
    env: 'BATCHMODE_WORKERS', flag: '--workers', help: 'run batch workers in this process: true | false (default true)',
    schema: z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')]).default(true),
  },
  modelMaxConcurrency: {
    env: 'BATCHMODE_MODEL_MAX_CONCURRENCY', flag: '--model-max-concurrency', help: 'per model: most calls in flight (default: the worker concurrency)',
    schema: z.coerce.number().int().positive().optional(),
  },
  modelRequestsPerMinute: {
    env: 'BATCHMODE_MODEL_REQUESTS_PER_MINUTE', flag: '--model-requests-per-minute', help: 'per model: request rate limit (default none)',
    schema: z.coerce.number().positive().optional(),
  },
  modelTokensPerMinute: {
    env: 'BATCHMODE_MODEL_TOKENS_PER_MINUTE', flag: '--model-tokens-per-minute', help: 'per model: token rate limit (default none)',
    schema: z.coerce.number().positive().optional(),
  },
  /** Per model (the config file's `timeoutSeconds` wins): one backend call's deadline; see DEFAULT_CALL_TIMEOUT_MS. */
  modelTimeoutSeconds: {
    env: 'BATCHMODE_MODEL_TIMEOUT_SECONDS', flag: '--model-timeout-seconds',
    help: `per model: seconds one backend call may take before it is abandoned and retried as DEADLINE_EXCEEDED (default ${DEFAULT_CALL_TIMEOUT_MS / 1000})`,
    schema: z.coerce.number().positive().max(MAX_TIMEOUT_SECONDS).default(DEFAULT_CALL_TIMEOUT_MS / 1000),
  },
  simLatencyMs: { env: 'BATCHMODE_SIM_LATENCY_MS', flag: '--sim-latency-ms', help: 'simulated model: latency of each call in ms (default 0)', schema: z.coerce.number().nonnegative().default(0) },
  simErrorRate: { env: 'BATCHMODE_SIM_ERROR_RATE', flag: '--sim-error-rate', help: 'simulated model: fraction of calls failing with a transient 503 (default 0)', schema: z.coerce.number().min(0).max(1).default(0) },
  /** Scripted faults for the simulated model, as a JSON array (see README). */
  simFaults: {
    env: 'BATCHMODE_SIM_FAULTS', flag: '--sim-faults', help: 'simulated model: scripted faults, a JSON array (see README)',
    schema: z.string().optional().transform((value, context) => {
      if (value === undefined) return [];
      try {
        const parsed = z.array(simulatedFaultSchema).safeParse(JSON.parse(value));
        if (parsed.success) return parsed.data;
        context.addIssue({ code: 'custom', message: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') });
      } catch {
        context.addIssue({ code: 'custom', message: 'not JSON' });
      }
      return z.NEVER;
    }),
  },
  simCallLog: {
    env: 'BATCHMODE_SIM_CALL_LOG', flag: '--sim-call-log', help: 'append a line per backend call to this file (tests, demos)',
    schema: z.string().optional(),
  },
  /**
   * `batch` (default) writes states as the API does (`BATCH_STATE_SUCCEEDED`); `job` writes
   * `JOB_STATE_SUCCEEDED`, which the guide's REST status script compares against (a doc bug).
   */
  stateNames: {
    env: 'BATCHMODE_STATE_NAMES', flag: '--state-names', help: 'batch | job: how batch states are spelled on the wire (default batch)',
    schema: z.enum(['batch', 'job']).default('batch'),
  },
  /** Webhook deliveries (static and per-batch): see README, "Webhooks". */
  webhookRetryHours: {
    env: 'BATCHMODE_WEBHOOK_RETRY_HOURS', flag: '--webhook-retry-hours',
    help: 'hours a webhook delivery is retried before it fails and its webhook is disabled (default 24)',
    schema: z.coerce.number().positive().default(24),
  },
  webhookTimeoutSeconds: {
    env: 'BATCHMODE_WEBHOOK_TIMEOUT_SECONDS', flag: '--webhook-timeout-seconds',
    help: 'seconds a receiver has to connect and answer one delivery (default 10)',
    schema: z.coerce.number().positive().max(300).default(10),
  },
  webhookDestinations: {
    env: 'BATCHMODE_WEBHOOK_DESTINATIONS', flag: '--webhook-destinations',
    help: 'any | public: public refuses loopback, private, link-local and metadata addresses, checked after DNS (default any)',
    schema: z.enum(['any', 'public']).default('any'),
  },
  shutdownGraceSeconds: {
    env: 'BATCHMODE_SHUTDOWN_GRACE_SECONDS', flag: '--shutdown-grace-seconds', help: 'seconds in-flight work may finish on SIGTERM (default 10)',
    schema: z.coerce.number().nonnegative().default(10),
  },
  /** Prometheus metrics (`GET /metrics`): see README, "Metrics". */
  metricsToken: {
    env: 'BATCHMODE_METRICS_TOKEN', flag: '--metrics-token', help: '/metrics requires Authorization: Bearer <this token> (default: /metrics is open)',
    schema: z.string().trim().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain spaces').optional(),
  },
  metricsPort: {
    env: 'BATCHMODE_METRICS_PORT', flag: '--metrics-port',
    help: 'batchmode worker: serve /metrics, /healthz and /readyz on this port (on --host), 0 for any free port (default: none)',
    schema: z.coerce.number().int().min(0).max(65535).optional(),
  },
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export type Config = Readonly<{ [K in SettingName]: z.output<Settings[K]['schema']> }> & {
  /** The model routes of the config file, if one was given. */
  readonly models: readonly ModelConfig[] | undefined;
  /** Per-tenant quotas: the config file's `quotas` section over the defaults (DEFAULT_QUOTAS without a file). */
  readonly quotas: QuotaConfig;
  /** The config file's `tools` section (empty without one): how the built-in tools run. */
  readonly tools: ToolsConfig;
  /** The AWS_* variables (endpoint, region, credentials) for an s3:// blob URL. */
  readonly awsEnv: Readonly<Record<string, string>>;
};
/** Values given on the command line, by setting name (commander gives strings). */
export type ConfigFlags = Partial<Record<SettingName, string | number | undefined>>;

/** Each setting's flag, env var and help text (the CLI builds its options from this). */
export function describeSettings(): { name: SettingName; flag: string; env: string; help: string }[] {
  return (Object.entries(SETTINGS) as [SettingName, Settings[SettingName]][]).map(([name, setting]) => ({
    name, flag: setting.flag, env: setting.env, help: setting.help,
  }));
}

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
  const file = values.configFile as string | undefined;
  const configFile = file === undefined ? undefined : loadConfigFile(resolve(file), env);
  values.models = configFile?.models;
  values.quotas = withLargestFileDefault(configFile?.quotas ?? DEFAULT_QUOTAS, values.maxUploadBytes as number);
  values.tools = configFile?.tools ?? {};
  values.awsEnv = Object.freeze(Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('AWS_') && entry[1] !== undefined),
  ));
  return Object.freeze(values) as Config;
}

/** Only the AWS_* variables (the S3 client's endpoint, region and credentials) of `env`, for callers that take nothing else from the environment. */
export function awsEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('AWS_') && entry[1] !== undefined));
}

/** A configuration problem (one class for settings and the config file); see config-error.ts. */
export { ConfigError };

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Where the command-line client sends its requests, and with which key. */
export interface ClientConfig {
  baseUrl: string;
  apiKey: string;
  /** Where the values came from, for error messages (`--base-url`, `GOOGLE_GEMINI_BASE_URL`, …). */
  baseUrlSource: string;
  apiKeySource: string;
}

/**
 * The client's endpoint and key: flags, then the SDKs' own variables (GOOGLE_GEMINI_BASE_URL,
 * GEMINI_API_KEY, GOOGLE_API_KEY), then the local server (BATCHMODE_PORT, default DEFAULT_PORT)
 * and the key it stored in its data directory (BATCHMODE_DATA_DIR, default DEFAULT_DATA_DIR) or the
 * first of BATCHMODE_API_KEYS.
 */
export function loadClientConfig(
  flags: { baseUrl?: string | undefined; apiKey?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
  readKeyFile: (path: string) => string | undefined = defaultReadKeyFile,
): ClientConfig {
  const given = (value: string | undefined): string | undefined => emptyToUndefined(value)?.trim();
  let baseUrl = given(flags.baseUrl);
  let baseUrlSource = '--base-url';
  if (baseUrl === undefined && given(env.GOOGLE_GEMINI_BASE_URL) !== undefined) {
    baseUrl = given(env.GOOGLE_GEMINI_BASE_URL);
    baseUrlSource = 'GOOGLE_GEMINI_BASE_URL';
  }
  if (baseUrl === undefined) {
    baseUrl = `http://127.0.0.1:${given(env.BATCHMODE_PORT) ?? DEFAULT_PORT}`;
    baseUrlSource = 'the local server (default)';
  }
  if (!/^https?:\/\/[^/]/.test(baseUrl)) throw new ConfigError(`${baseUrlSource}: not an http(s) URL: ${JSON.stringify(baseUrl)}`);

  const dataDir = resolve(given(env.BATCHMODE_DATA_DIR) ?? DEFAULT_DATA_DIR);
  const candidates: [string, string | undefined][] = [
    ['--api-key', given(flags.apiKey)],
    ['GEMINI_API_KEY', given(env.GEMINI_API_KEY)],
    ['GOOGLE_API_KEY', given(env.GOOGLE_API_KEY)],
    ['BATCHMODE_API_KEYS', splitApiKeys(env.BATCHMODE_API_KEYS)[0]],
    [keyFilePath(dataDir), readKeyFile(keyFilePath(dataDir))],
  ];
  const found = candidates.find(([, value]) => value !== undefined);
  if (!found?.[1]) {
    throw new ConfigError(`No API key: pass --api-key or set GEMINI_API_KEY (or run \`batchmode serve\` here once: it stores a key in ${keyFilePath(dataDir)}).`);
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey: found[1], baseUrlSource, apiKeySource: found[0] };
}

function defaultReadKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

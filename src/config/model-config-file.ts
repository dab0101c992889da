/**
 * The model configuration file (`--config` / BATCHMODE_CONFIG, JSON or YAML): which backend
 * serves which model names (exact or glob), with per-model limits and pricing, and the
 * per-tenant quotas (`quotas`: default limits, overrides by tenant id). Validated with
 * one zod schema; every problem is reported with its path in the file. Secrets can stay out of
 * the file: `apiKeyEnv` names an environment variable that holds the key.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { OpenAIImageOptions } from '../backends/openai/image-options.js';
import { simulatedFaultSchema } from '../backends/simulated/simulated-fault.js';
import { DEFAULT_QUOTAS, type QuotaConfig, type TenantLimits } from '../core/quota.js';
import type { Pricing } from '../core/usage.js';
import { ConfigError } from './config-error.js';
import { toolsSchema, type ToolsConfig } from './tools-config.js';

/** Node's timers wait at most 2^31 - 1 ms; leave a second for the deadline's slot. */
export const MAX_TIMEOUT_SECONDS = 2_147_482;

/** The fields every HTTP backend (openai, gemini) takes. */
const httpBackend = {
  apiKey: z.string().min(1).optional(),
  /** The environment variable that holds the key, so that the file need not. */
  apiKeyEnv: z.string().min(1).optional(),
  /** Upstream model name (default: the Gemini model name the client used). */
  model: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxConnections: z.number().int().positive().optional(),
  headers: z.record(z.string(), z.string()).optional(),
};

/** An OpenAI-compatible route's image requests (`images`): sent to /images/generations and /images/edits. */
const openaiImagesSchema = z.strictObject({
  /** The upstream image model (default: the route's `model`, else the Gemini model name). */
  model: z.string().min(1).optional(),
  /** The sizes the server takes, `WxH` (default OpenAI gpt-image's: 1024x1024, 1536x1024, 1024x1536). */
  sizes: z.array(z.string().regex(/^[1-9]\d{0,4}x[1-9]\d{0,4}$/, 'WIDTHxHEIGHT, e.g. 1024x1024')).min(1).optional(),
  /** Send `response_format: "b64_json"` (default true; false for gpt-image models, which refuse it). */
  sendResponseFormat: z.boolean().optional(),
}) satisfies z.ZodType<OpenAIImageOptions, unknown>;

const backendSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('openai'),
    baseUrl: z.url({ protocol: /^https?$/ }),
    embeddingModel: z.string().min(1).optional(),
    /** `true` (defaults) or the settings: image requests go to the images API instead of being refused. */
    images: z.union([z.boolean(), openaiImagesSchema]).optional(),
    ...httpBackend,
  }),
  z.strictObject({ type: z.literal('gemini'), baseUrl: z.url({ protocol: /^https?$/ }).optional(), apiVersion: z.string().min(1).optional(), ...httpBackend }),
  z.strictObject({
    type: z.literal('simulated'),
    latencyMs: z.number().nonnegative().optional(),
    errorRate: z.number().min(0).max(1).optional(),
    faults: z.array(simulatedFaultSchema).optional(),
    /** Pixels on the long side of the images the simulated image models draw (default 256). */
    imageSize: z.number().int().min(16).max(4096).optional(),
  }),
]);

const pricingSchema = z.strictObject({
  /** USD per million input (prompt) tokens. */
  inputPerMillion: z.number().nonnegative(),
  /** USD per million input tokens read from a cache (Gemini 2.5 Flash: 0.03); default the input price. */
  cachedInputPerMillion: z.number().nonnegative().optional(),
  /** USD per million output tokens (thinking tokens included). */
  outputPerMillion: z.number().nonnegative(),
  /** Fraction taken off for batch use (Gemini: 0.5). */
  batchDiscount: z.number().min(0).max(1).default(0.5),
}) satisfies z.ZodType<Pricing, unknown>;

const modelSchema = z.strictObject({
  /** Model id as clients name it (without `models/`), or a glob such as `gemini-*`. */
  name: z.string().min(1).regex(/^[A-Za-z0-9._*:-]+$/, 'letters, digits, . _ - : and * only'),
  backend: backendSchema,
  maxConcurrency: z.number().int().positive().optional(),
  requestsPerMinute: z.number().positive().optional(),
  tokensPerMinute: z.number().positive().optional(),
  /**
   * Longest one call may take (seconds, fractions allowed) before it is abandoned and retried as
   * DEADLINE_EXCEEDED; default --model-timeout-seconds (600). Also the HTTP backends' transport
   * timeout unless their `timeoutMs` says otherwise. At most Node's longest timer (~24.8 days).
   */
  timeoutSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).optional(),
  pricing: pricingSchema.optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  /** Whether the model embeds (default: guessed from the name, e.g. `*embed*`). */
  embedding: z.boolean().optional(),
  /**
   * Whether the model generates images (default: guessed from the name, e.g. `*-image`): the
   * simulated backend draws for it; on an openai route `true` also turns on the images API (as
   * `backend.images: true` does). Its requests naming no responseModalities are image requests,
   * as Gemini's image models draw by default.
   */
  image: z.boolean().optional(),
  inputTokenLimit: z.number().int().positive().optional(),
  outputTokenLimit: z.number().int().positive().optional(),
});

const count = z.number().int().positive();
/** A tenant's limits; a field left out keeps the default's (for `default`: Gemini's file limits, else unlimited). */
const tenantLimitsSchema = z.strictObject({
  storedFileBytes: count.optional(),
  largestFileBytes: count.optional(),
  activeBatches: count.optional(),
  enqueuedTokensPerModel: count.optional(),
  requestsPerBatch: count.optional(),
}) satisfies z.ZodType<TenantLimits, unknown>;

const quotasSchema = z.strictObject({
  default: tenantLimitsSchema.optional(),
  /** Keyed by tenant id (24 hex digits of the key's SHA-256, shown by `batchmode quota`; never the key). */
  tenants: z.record(z.string(), tenantLimitsSchema).superRefine((tenants, context) => {
    for (const id of Object.keys(tenants)) {
      // Shown cut short: a key that is not a tenant id may well be an API key.
      if (!/^[0-9a-f]{24}$/.test(id)) context.addIssue({ code: 'custom', message: `'${id.slice(0, 4)}…' is not a tenant id (24 lowercase hex digits, as \`batchmode quota\` shows); never put API keys here` });
    }
  }).optional(),
});

/** `tools`: the built-in tools batchmode runs itself (tools-config.ts). */
const fileSchema = z.strictObject({ models: z.array(modelSchema).min(1), quotas: quotasSchema.optional(), tools: toolsSchema.optional() });

export type BackendConfig = z.output<typeof backendSchema>;
export type ModelConfig = z.output<typeof modelSchema>;

/** Reads and validates a config file; `env` resolves `apiKeyEnv` (and must hold the named variable). */
export function loadModelConfig(path: string, env: Readonly<Record<string, string | undefined>>): ModelConfig[] {
  return loadConfigFile(path, env).models;
}

/** The whole file: the models, the quotas (DEFAULT_QUOTAS below what the file sets) and the built-in tools' settings. */
export function loadConfigFile(path: string, env: Readonly<Record<string, string | undefined>>): { models: ModelConfig[]; quotas: QuotaConfig; tools: ToolsConfig } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '') || '(top level)'}: ${issue.message}`);
    throw new ConfigError(`Invalid config file ${path}:\n${problems.join('\n')}`);
  }
  const quotas: QuotaConfig = {
    default: { ...DEFAULT_QUOTAS.default, ...parsed.data.quotas?.default },
    tenants: parsed.data.quotas?.tenants ?? {},
  };
  const models = parsed.data.models.map((model, index) => {
    const backend = model.backend;
    if (backend.type === 'simulated' || backend.apiKeyEnv === undefined) return model;
    const key = env[backend.apiKeyEnv];
    if (!key) throw new ConfigError(`Invalid config file ${path}:\n  models[${index}].backend.apiKeyEnv: the environment variable ${backend.apiKeyEnv} is not set`);
    return { ...model, backend: { ...backend, apiKey: key } };
  });
  return { models, quotas, tools: parsed.data.tools ?? {} };
}

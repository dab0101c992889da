/**
 * The config file's `tools:` section: how batchmode runs Gemini's built-in tools itself on
 * backends that have none (OpenAI-compatible, simulated). `googleSearch` names the search
 * provider (SearXNG's JSON API) and how many results a request gets; `urlContext` the hosts
 * fetched even on private addresses, and the size and time limits of one fetch.
 *
 *   tools:
 *     googleSearch: { searxngUrl: "http://127.0.0.1:8888", results: 5 }
 *     urlContext: { allowHosts: ["docs.internal:8080"], maxBytes: 2000000, timeoutSeconds: 10 }
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config-error.js';

const hostEntry = z.string().trim().min(1).regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/, 'a host or host:port, e.g. docs.internal:8080 or [::1]:8080');

export const toolsSchema = z.strictObject({
  googleSearch: z.strictObject({
    /** The SearXNG instance's root (its settings.yml must list `json` under search.formats). */
    searxngUrl: z.url({ protocol: /^https?$/ }),
    /** Results given to the model per request, 1–20 (default 5). */
    results: z.number().int().min(1).max(20).default(5),
  }).optional(),
  urlContext: z.strictObject({
    /** `host[:port]` fetched even when it resolves to a loopback, private or link-local address (a bare host: any port). */
    allowHosts: z.array(hostEntry).default([]),
    /** Most bytes read of one page (default 2,000,000). */
    maxBytes: z.number().int().positive().default(2_000_000),
    /** Longest one fetch may take, redirects included (default 10). */
    timeoutSeconds: z.number().positive().max(600).default(10),
  }).optional(),
});

export type ToolsConfig = z.output<typeof toolsSchema>;

/**
 * The `tools` section of the config file at `path` (empty when it has none). The whole file is
 * validated by loadConfigFile (model-config-file.ts); this reads the one section again for the
 * composition root, whose settings do not carry it.
 */
export function readToolsConfig(path: string): ToolsConfig {
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  const section = typeof raw === 'object' && raw !== null ? (raw as { tools?: unknown }).tools : undefined;
  const parsed = toolsSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  tools${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}: ${issue.message}`);
    throw new ConfigError(`Invalid config file ${path}:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/**
 * The config file's `tools:` section (validated and read with the rest of the file by
 * model-config-file.ts, carried in `Config.tools`): how batchmode runs Gemini's built-in tools itself on
 * backends that have none (OpenAI-compatible, simulated). `googleSearch` names the search
 * provider (SearXNG's JSON API) and how many results a request gets; `urlContext` the hosts
 * fetched even on private addresses, and the size and time limits of one fetch.
 *
 *   tools:
 *     googleSearch: { searxngUrl: "http://127.0.0.1:8888", results: 5 }
 *     urlContext: { allowHosts: ["docs.internal:8080"], maxBytes: 2000000, timeoutSeconds: 10 }
 */
import { z } from 'zod';

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

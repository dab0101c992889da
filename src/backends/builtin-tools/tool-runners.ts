/**
 * The tool runners a deployment's settings call for, built once per process so that every route
 * shares them (one URL cache for all): the SearXNG provider when a searxngUrl is set, and the
 * HTTP URL fetcher with its allow-list and limits; or, for the simulated model, the
 * deterministic fakes. The composition root wraps backends with them (withBuiltInTools).
 */
import type { BuiltInToolsOptions } from './with-built-in-tools.js';
import { createHttpUrlFetcher } from './http-url-fetcher.js';
import { createSearxngProvider } from './searxng-provider.js';
import { createSimulatedSearch, createSimulatedUrlFetcher } from './simulated-tools.js';

/** The shape of the config file's `tools` section (config/tools-config.ts), as this folder needs it. */
export interface ToolSettings {
  googleSearch?: { searxngUrl: string; results?: number };
  urlContext?: { allowHosts?: readonly string[]; maxBytes?: number; timeoutSeconds?: number };
}

/** Runners for real backends: search only when configured; URL context always (safe defaults). */
export function createToolRunners(settings: ToolSettings = {}): BuiltInToolsOptions {
  const search = settings.googleSearch;
  const urls = settings.urlContext ?? {};
  return {
    ...(search ? { search: createSearxngProvider({ baseUrl: search.searxngUrl }), searchResults: search.results ?? 5 } : {}),
    urls: createHttpUrlFetcher({
      ...(urls.allowHosts ? { allowHosts: urls.allowHosts } : {}),
      ...(urls.maxBytes ? { maxBytes: urls.maxBytes } : {}),
      ...(urls.timeoutSeconds ? { timeoutSeconds: urls.timeoutSeconds } : {}),
    }),
  };
}

/** The simulated model's runners: deterministic fakes, no network, sources cited in every answer. */
export function simulatedToolRunners(settings: ToolSettings = {}): BuiltInToolsOptions {
  return { search: createSimulatedSearch(), searchResults: settings.googleSearch?.results ?? 5, urls: createSimulatedUrlFetcher(), citeSources: true };
}

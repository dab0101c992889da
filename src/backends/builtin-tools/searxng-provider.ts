/**
 * The SearXNG search provider: `GET {searxngUrl}/search?q=…&format=json` (self-hostable, no
 * key), reading `results[].{title, url, content}`. SearXNG answers 403 to JSON requests unless
 * its settings.yml lists `json` under `search.formats`, so that answer says so. Connection
 * errors, timeouts, 429 and 5xx are retryable UNAVAILABLE errors; anything else is not.
 */
import { request } from 'undici';
import { BackendError } from '../backend.js';
import { cancelledError } from '../cancelled-error.js';
import type { SearchProvider, SearchResult } from './search-provider.js';

export interface SearxngOptions {
  /** The instance's root, e.g. `http://127.0.0.1:8888`. */
  baseUrl: string;
  /** Per search; default 10 s. */
  timeoutMs?: number;
}

const SNIPPET_CHARS = 500;

export function createSearxngProvider(options: SearxngOptions): SearchProvider {
  const root = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const id = `searxng:${root}`;
  const unavailable = (why: string, cause?: unknown, httpStatus?: number): BackendError =>
    new BackendError(`Google Search grounding: the search provider ${root} ${why}`, {
      status: 'UNAVAILABLE', retryable: true, ...(cause === undefined ? {} : { cause }), ...(httpStatus === undefined ? {} : { httpStatus }),
    });

  return {
    id,
    async search(query: string, count: number, signal: AbortSignal): Promise<SearchResult[]> {
      const url = `${root}/search?${new URLSearchParams({ q: query, format: 'json' }).toString()}`;
      const timeout = AbortSignal.timeout(timeoutMs);
      let answer;
      try {
        answer = await request(url, { method: 'GET', signal: AbortSignal.any([signal, timeout]), headers: { accept: 'application/json' } });
      } catch (error) {
        if (signal.aborted) throw cancelledError(signal);
        if (timeout.aborted) throw unavailable(`did not answer within ${timeoutMs / 1000} s`, error);
        throw unavailable(`cannot be reached (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
      }
      const status = answer.statusCode;
      let text: string;
      try {
        text = await answer.body.text();
      } catch (error) {
        if (signal.aborted) throw cancelledError(signal);
        throw unavailable('broke off its answer', error);
      }
      if (status === 429 || status >= 500) throw unavailable(`answered HTTP ${status}`, undefined, status);
      if (status === 403) {
        throw new BackendError(`Google Search grounding: the search provider ${root} refused a JSON search (HTTP 403); enable the json format in SearXNG's settings.yml (search: formats: [html, json])`, { status: 'FAILED_PRECONDITION', retryable: false, httpStatus: status });
      }
      if (status !== 200) throw new BackendError(`Google Search grounding: the search provider ${root} answered HTTP ${status}`, { status: 'FAILED_PRECONDITION', retryable: false, httpStatus: status });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw unavailable('answered something that is not JSON', error);
      }
      const results = (body as { results?: unknown }).results;
      if (!Array.isArray(results)) throw unavailable('answered JSON without a results list');
      const found: SearchResult[] = [];
      const seen = new Set<string>();
      for (const item of results as Record<string, unknown>[]) {
        if (typeof item !== 'object' || item === null || typeof item.url !== 'string' || !/^https?:\/\//i.test(item.url) || seen.has(item.url)) continue;
        seen.add(item.url);
        const title = typeof item.title === 'string' && item.title.trim() !== '' ? item.title.trim() : new URL(item.url).hostname;
        const snippet = typeof item.content === 'string' ? item.content.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS) : '';
        found.push({ title, url: item.url, snippet });
        if (found.length >= count) break;
      }
      return found;
    },
  };
}

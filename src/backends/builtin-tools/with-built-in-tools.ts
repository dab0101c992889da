/**
 * The built-in tools on any backend: a ModelBackend decorator that runs Google Search grounding
 * (`googleSearch`, and the older `googleSearchRetrieval`) and URL context (`urlContext`) itself
 * for a request that asks for them, then calls the inner backend without those tools, with the
 * results as context (tool-request.ts), and adds Gemini's metadata to the answer
 * (tool-metadata.ts). A streamed answer gets the tools' part first and the metadata on its last
 * chunk. Requests without these tools pass through untouched.
 *
 * Failures of the line, not retried: googleSearch with no search provider (the message says how
 * to configure one), no text to search for, more than 20 URLs, a URL on a refused address
 * (PERMISSION_DENIED naming it and why; nothing of the request is fetched). A URL that fails to
 * load (404, timeout) is reported in urlContextMetadata and the request runs with the others.
 */
import type { Candidate, GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import { estimatePromptTokens } from '../../core/token-estimate.js';
import { BackendError, type CallOptions, type ModelBackend } from '../backend.js';
import type { SearchProvider } from './search-provider.js';
import { answerParts, candidateMetadata, decorateResponse, withToolUsage } from './tool-metadata.js';
import { contextText, MAX_URLS, namedUrls, searchQuery, toolsAsked, withContext, withoutBuiltInTools, type ToolFindings } from './tool-request.js';
import type { UrlFetcher } from './url-fetcher.js';

export interface BuiltInToolsOptions {
  /** Runs googleSearch; without one, such a request fails with how to configure one. */
  search?: SearchProvider;
  /** Search results given to the model (default 5). */
  searchResults?: number;
  /** Runs urlContext; without one, such a request fails. */
  urls?: UrlFetcher;
  /** Mark every uncited sentence with a source (for a model that cannot cite: the simulated one). */
  citeSources?: boolean;
}

/** Where a request asking for none of the tools stands: `undefined`; else its prepared call. */
interface Prepared {
  request: GenerateContentRequest;
  findings: ToolFindings;
  contextTokens: number;
}

const invalid = (message: string): BackendError => new BackendError(message, { status: 'INVALID_ARGUMENT', retryable: false });

/** Whether the request names any tool at all (most do not: they go straight to the inner backend). */
const hasTools = (request: GenerateContentRequest): boolean => request.tools !== undefined && request.tools.length > 0;

export function withBuiltInTools(backend: ModelBackend, options: BuiltInToolsOptions): ModelBackend {
  const searchResults = options.searchResults ?? 5;
  const cite = options.citeSources === true;

  async function prepare(request: GenerateContentRequest, signal: AbortSignal): Promise<Prepared | undefined> {
    const ask = toolsAsked(request);
    if (!ask.search && !ask.urlContext) return undefined;
    const findings: ToolFindings = {};
    let query = '';
    if (ask.search) {
      if (options.search === undefined) {
        throw invalid(`googleSearch needs a search provider on this backend (${backend.id}): batchmode runs the search itself; configure one in the config file, e.g. tools: { googleSearch: { searxngUrl: "http://127.0.0.1:8888" } } (a SearXNG instance with the json format enabled)`);
      }
      query = searchQuery(request);
      if (query === '') throw invalid('googleSearch: the request has no user text to search for');
    }
    let urls: string[] = [];
    if (ask.urlContext) {
      if (options.urls === undefined) throw invalid(`urlContext is not available on this backend (${backend.id})`);
      urls = namedUrls(request);
      if (urls.length > MAX_URLS) throw invalid(`urlContext: the request names ${urls.length} URLs; at most ${MAX_URLS} are fetched per request`);
      const fetcher = options.urls;
      const refusals = await Promise.all(urls.map(async (url) => [url, await fetcher.screen(url, signal)] as const));
      const refused = refusals.find(([, reason]) => reason !== undefined);
      if (refused !== undefined) {
        throw new BackendError(`urlContext: batchmode does not fetch ${refused[0]}: ${refused[1] ?? ''}`, { status: 'PERMISSION_DENIED', retryable: false });
      }
    }
    const [results, pages] = await Promise.all([
      ask.search && options.search ? options.search.search(query, searchResults, signal) : undefined,
      ask.urlContext && options.urls ? Promise.all(urls.map((url) => (options.urls as UrlFetcher).fetch(url, signal))) : undefined,
    ]);
    if (results !== undefined) Object.assign(findings, { query, results });
    if (pages !== undefined) findings.pages = pages;
    const context = contextText(findings);
    return {
      request: withContext(withoutBuiltInTools(request), context),
      findings,
      contextTokens: estimatePromptTokens({ contents: [{ parts: [{ text: context }] }] }),
    };
  }

  const decorated: ModelBackend = {
    id: backend.id,
    ...(backend.callTimeoutMs === undefined ? {} : { callTimeoutMs: backend.callTimeoutMs }),

    generateContent(request, callOptions) {
      // No await (and no promise of its own) for a request without tools: the batch run's common case.
      if (!hasTools(request)) return backend.generateContent(request, callOptions);
      return (async () => {
        const prepared = await prepare(request, callOptions.signal);
        if (prepared === undefined) return backend.generateContent(request, callOptions);
        const response = await backend.generateContent(prepared.request, callOptions);
        return decorateResponse(response, prepared.findings, prepared.contextTokens, cite);
      })();
    },

    ...(backend.embedContent ? { embedContent: backend.embedContent.bind(backend) } : {}),
    ...(backend.countTokens ? { countTokens: (request: GenerateContentRequest, callOptions: CallOptions) => (backend.countTokens as NonNullable<ModelBackend['countTokens']>).call(backend, withoutBuiltInTools(request), callOptions) } : {}),
    ...(backend.close ? { close: backend.close.bind(backend) } : {}),
  };
  const stream = backend.streamGenerateContent?.bind(backend);
  if (stream !== undefined) {
    decorated.streamGenerateContent = async function* (request, callOptions) {
      const prepared = await prepare(request, callOptions.signal);
      if (prepared === undefined) {
        yield* stream(request, callOptions);
        return;
      }
      yield* streamWithMetadata(stream(prepared.request, callOptions), prepared);
    };
  }
  return decorated;
}

/** Passes the chunks through, holding one back to add the metadata to the last (or a chunk of its own). */
async function* streamWithMetadata(chunks: AsyncIterable<GenerateContentResponse>, prepared: Prepared): AsyncIterable<GenerateContentResponse> {
  const texts = new Map<number, string>();
  let held: GenerateContentResponse | undefined;
  for await (const chunk of chunks) {
    chunk.candidates?.forEach((candidate, position) => {
      const index = candidate.index ?? position;
      const text = [...answerParts(candidate).values()].join('');
      texts.set(index, (texts.get(index) ?? '') + text);
    });
    if (held !== undefined) yield held;
    held = chunk;
  }
  if (texts.size === 0) texts.set(0, '');
  const last: GenerateContentResponse = held ?? {};
  const candidates: Candidate[] = [...(last.candidates ?? [])];
  for (const [index, text] of texts) {
    const metadata = candidateMetadata(prepared.findings, new Map([[0, text]]));
    const position = candidates.findIndex((candidate, at) => (candidate.index ?? at) === index);
    if (position >= 0) candidates[position] = { ...candidates[position], ...metadata };
    else candidates.push({ index, ...metadata });
  }
  const usageMetadata = withToolUsage(last.usageMetadata, prepared.contextTokens);
  yield { ...last, candidates, ...(usageMetadata ? { usageMetadata } : {}) };
}

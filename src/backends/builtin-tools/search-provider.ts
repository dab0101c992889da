/**
 * The web search port of the Google Search grounding tool: batchmode runs the search itself for
 * backends that have no search of their own. SearXNG (searxng-provider.ts) is the first
 * adapter; others (Brave, Tavily) implement the same one method.
 */

/** One search hit, as the backend model sees it and groundingChunks report it. */
export interface SearchResult {
  title: string;
  url: string;
  /** A short excerpt of the page (may be empty). */
  snippet: string;
}

export interface SearchProvider {
  /** For logs and errors, e.g. `searxng:http://127.0.0.1:8888`. */
  readonly id: string;
  /**
   * At most `count` results for `query`, best first. Rejects with a BackendError: retryable for
   * an outage (connection refused, timeout, 5xx), not for a misconfiguration.
   */
  search(query: string, count: number, signal: AbortSignal): Promise<SearchResult[]>;
}

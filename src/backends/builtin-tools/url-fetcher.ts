/**
 * The fetching port of the URL context tool. `screen` decides, before anything is fetched,
 * whether a URL the caller named may be fetched at all (a refusal fails the request); `fetch`
 * retrieves it, and reports a failure (404, timeout, a redirect to a refused address, an
 * unsupported type) as that URL's status, so that the request still runs with the others.
 */

/** Gemini's UrlRetrievalStatus values batchmode reports. */
export type UrlRetrievalStatus = 'URL_RETRIEVAL_STATUS_SUCCESS' | 'URL_RETRIEVAL_STATUS_ERROR' | 'URL_RETRIEVAL_STATUS_UNSAFE';

export interface FetchedUrl {
  url: string;
  status: UrlRetrievalStatus;
  /** The page's title, when it has one. */
  title?: string;
  /** The readable text (SUCCESS only). */
  text?: string;
  /** Whether the text stops at the size limit. */
  truncated?: boolean;
  /** Why it failed (ERROR, UNSAFE), for the backend's context and logs. */
  reason?: string;
}

export interface UrlFetcher {
  /** Why `url` may not be fetched (naming the address and how to allow it); undefined when it may. */
  screen(url: string, signal: AbortSignal): Promise<string | undefined>;
  /** Fetches `url` (already screened), never rejecting for the URL's own failures; rejects only when `signal` aborts. */
  fetch(url: string, signal: AbortSignal): Promise<FetchedUrl>;
}

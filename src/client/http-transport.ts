/**
 * One HTTP exchange with the REST surface, as the client's calls make it: the API key header,
 * an error answer read into an ApiError, a connection that cannot be made or breaks (before the
 * answer, or while its body is read) turned into a transient ApiError (status 0), and the
 * retrying form of a JSON call (retrying-call.ts).
 */
import { ApiError, apiErrorOf, connectionError } from './api-error.js';
import { withRetries, type RetryPolicy } from './retrying-call.js';

export interface Transport {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly policy: RetryPolicy;
  /** `/v1beta/…` → the full URL; a full URL stays as it is. */
  url(path: string): string;
  /** One try: the answer when it is a success (its body unread), else an ApiError. */
  send(what: string, path: string, init?: RequestInit): Promise<Response>;
  /** One try of a JSON call, its body read (a body cut short is a transient failure). */
  json<T>(what: string, path: string, init?: RequestInit): Promise<T>;
  /** `json`, tried again on transient failures under the client's policy. */
  retried<T>(what: string, path: string, init?: RequestInit): Promise<T>;
}

export function createTransport(options: { baseUrl: string; apiKey: string; fetch?: typeof fetch | undefined; policy: RetryPolicy }): Transport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const headers = { 'x-goog-api-key': options.apiKey };
  const url = (path: string): string => (/^https?:\/\//.test(path) ? path : `${baseUrl}${path}`);

  const send = async (what: string, path: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await doFetch(url(path), { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw connectionError(what, baseUrl, error, 'request');
    }
    if (!response.ok) throw await apiErrorOf(response, what);
    return response;
  };

  const json = async <T>(what: string, path: string, init: RequestInit = {}): Promise<T> => {
    const response = await send(what, path, init);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw connectionError(what, baseUrl, error, 'body');
    }
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      // A web page where the API was expected (a wrong base URL): not worth another try.
      throw new ApiError(`${what}: the answer is not JSON: ${text.slice(0, 200)}`, response.status, undefined);
    }
  };

  return {
    baseUrl,
    policy: options.policy,
    url,
    send,
    json,
    retried: (what, path, init = {}) => withRetries(what, options.policy, () => json(what, path, init), init.signal ?? undefined),
  };
}

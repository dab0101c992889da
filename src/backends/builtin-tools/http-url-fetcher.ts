/**
 * The URL context tool's fetcher over HTTP (undici). Safe by default, since the URLs come from
 * API callers: each URL, and each redirect's target, is screened after DNS resolution
 * (address-policy.ts), and the connection goes to the screened address only (the agent's
 * `lookup` answers it, so a second DNS answer cannot switch it: no DNS rebinding). Redirects are
 * followed by hand, at most 5. Each fetch has a time limit (all hops together) and a size limit:
 * reading stops there and the text is marked as cut. Answers go through a process-wide cache
 * (fetch-cache.ts).
 */
import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import { VERSION } from '../../core/version.js';
import { allowListOf, resolveWithDns, screenUrl, type Resolve, type ResolvedAddress } from './address-policy.js';
import { extractText } from './extract-text.js';
import { createFetchCache, type FetchCache } from './fetch-cache.js';
import type { FetchedUrl, UrlFetcher } from './url-fetcher.js';

export interface HttpUrlFetcherOptions {
  /** `host[:port]` entries fetched even on refused addresses (a bare host: any port). */
  allowHosts?: readonly string[];
  /** Most bytes read of one answer; default 2,000,000. */
  maxBytes?: number;
  /** Longest one fetch may take, redirects included; default 10. */
  timeoutSeconds?: number;
  /** Test seam: host name resolution (default DNS, every address). */
  resolve?: Resolve;
  /** Default: a cache of its own (64 MiB, 10 minutes). */
  cache?: FetchCache;
}

export const DEFAULT_MAX_BYTES = 2_000_000;
export const DEFAULT_TIMEOUT_SECONDS = 10;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ACCEPT = 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.5';

/** An agent that connects to `pinned` whatever name the URL carries (TLS still checks the name). */
function pinnedAgent(pinned: ResolvedAddress, timeoutMs: number): Agent {
  const lookup = (_host: string, options: { all?: boolean }, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Agent({ connect: { lookup, timeout: timeoutMs }, connections: 1, pipelining: 0 });
}

export function createHttpUrlFetcher(options: HttpUrlFetcherOptions = {}): UrlFetcher {
  const isAllowed = allowListOf(options.allowHosts ?? []);
  const resolve = options.resolve ?? resolveWithDns;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const cache = options.cache ?? createFetchCache();

  async function fetchOnce(named: string): Promise<FetchedUrl> {
    const signal = AbortSignal.timeout(timeoutMs);
    const error = (reason: string): FetchedUrl => ({ url: named, status: 'URL_RETRIEVAL_STATUS_ERROR', reason });
    let current = new URL(named);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const screened = await screenUrl(current, isAllowed, resolve);
      if (!screened.ok) return { url: named, status: screened.unsafe ? 'URL_RETRIEVAL_STATUS_UNSAFE' : 'URL_RETRIEVAL_STATUS_ERROR', reason: hop === 0 ? screened.reason : `it redirects to ${current.href}, and ${screened.reason}` };
      const agent = pinnedAgent(screened.address, timeoutMs);
      try {
        const answer = await request(current, { method: 'GET', dispatcher: agent, signal, headers: { accept: ACCEPT, 'user-agent': `batchmode/${VERSION} (url context)` } });
        const status = answer.statusCode;
        if (REDIRECTS.has(status)) {
          await answer.body.dump();
          const location = answer.headers.location;
          if (typeof location !== 'string' || location === '') return error(`HTTP ${status} without a Location`);
          current = new URL(location, current);
          continue;
        }
        if (status < 200 || status > 299) {
          await answer.body.dump();
          return error(`HTTP ${status}`);
        }
        const chunks: Buffer[] = [];
        let read = 0;
        let truncated = false;
        for await (const chunk of answer.body) {
          const buffer = chunk as Buffer;
          if (read + buffer.length > maxBytes) {
            chunks.push(buffer.subarray(0, maxBytes - read));
            truncated = true;
            answer.body.destroy();
            break;
          }
          chunks.push(buffer);
          read += buffer.length;
        }
        const contentType = String(answer.headers['content-type'] ?? 'text/html');
        const extracted = await extractText(Buffer.concat(chunks).toString('utf8'), contentType);
        if (!extracted.ok) return error(extracted.reason);
        return {
          url: named, status: 'URL_RETRIEVAL_STATUS_SUCCESS', text: extracted.text,
          ...(extracted.title ? { title: extracted.title } : {}), ...(truncated ? { truncated } : {}),
        };
      } catch (cause) {
        if (signal.aborted) return error(`no answer within ${timeoutMs / 1000} s`);
        return error(`the fetch failed (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
      } finally {
        agent.destroy().catch(() => undefined);
      }
    }
    return error(`more than ${MAX_REDIRECTS} redirects`);
  }

  return {
    async screen(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return 'it is not a valid URL';
      }
      const screened = await screenUrl(parsed, isAllowed, resolve);
      return screened.ok || !screened.unsafe ? undefined : screened.reason;
    },
    fetch: (url, signal) => cache.get(url, () => fetchOnce(url), signal),
  };
}

/**
 * The built-in tools of the simulated model: deterministic, no network, so demos and client
 * tests can exercise the shapes. Search answers the same plausible results under
 * `https://example.com/` for the same query; a URL answers plausible text with SUCCESS, except
 * that one whose path contains `/missing` answers ERROR (as a 404 would), and a URL on a refused
 * IP literal or `localhost` is refused as the real fetcher refuses it.
 */
import { isIP } from 'node:net';
import { throwIfCancelled } from '../cancelled-error.js';
import { refusedAddressReason } from './address-policy.js';
import type { SearchProvider, SearchResult } from './search-provider.js';
import type { FetchedUrl, UrlFetcher } from './url-fetcher.js';

const TOPICS = ['overview', 'guide', 'faq', 'analysis', 'reference', 'news', 'history', 'tutorial'] as const;

/** A small stable hash (FNV-1a) of `text`. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return value;
}

const slugOf = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'query';

export function createSimulatedSearch(): SearchProvider {
  return {
    id: 'simulated-search',
    async search(query, count, signal) {
      throwIfCancelled(signal);
      const slug = slugOf(query);
      const seed = hash(query);
      const results: SearchResult[] = [];
      for (let index = 0; index < count; index++) {
        const topic = TOPICS[(seed + index) % TOPICS.length] as string;
        results.push({
          title: `${query.slice(0, 60)}: ${topic} (example.com)`,
          url: `https://example.com/${topic}/${slug}-${index + 1}`,
          snippet: `A simulated ${topic} page about "${query.slice(0, 80)}", result ${index + 1} of ${count}.`,
        });
      }
      return results;
    },
  };
}

export function createSimulatedUrlFetcher(): UrlFetcher {
  return {
    async screen(url, signal) {
      throwIfCancelled(signal);
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return 'it is not a valid URL';
      }
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback address`;
      const reason = isIP(host) === 0 ? undefined : refusedAddressReason(host);
      return reason === undefined ? undefined : `${host} is ${reason}`;
    },
    async fetch(url, signal): Promise<FetchedUrl> {
      throwIfCancelled(signal);
      const parsed = new URL(url);
      if (parsed.pathname.includes('/missing')) return { url, status: 'URL_RETRIEVAL_STATUS_ERROR', reason: 'HTTP 404 (simulated)' };
      const name = parsed.pathname.split('/').filter(Boolean).pop() ?? parsed.hostname;
      return {
        url,
        status: 'URL_RETRIEVAL_STATUS_SUCCESS',
        title: `${name} (${parsed.hostname})`,
        text: `Simulated content of ${url}. The page describes ${name.replace(/[-_]/g, ' ')} in a few short paragraphs.`,
      };
    },
  };
}

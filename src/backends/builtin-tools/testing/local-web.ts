/**
 * Tiny local HTTP servers for the built-in tools' tests (node:http on 127.0.0.1, port 0): a web
 * site answering fixed pages by path (status, type, body, redirects, delays), recording every
 * request so a test can prove a server was never asked; and a fake SearXNG answering its JSON
 * search API (`/search?q=…&format=json`) from a handler.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { closeNow, listenLocal } from '../../../lib/testing/local-http-server.js';

export interface Page {
  status?: number;
  type?: string;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface LocalSite {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `127.0.0.1:<port>`, as an allow-list names it. */
  host: string;
  /** Paths (with query) asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalSite(pages: Record<string, Page | ((request: IncomingMessage) => Page)>): Promise<LocalSite> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const entry = pages[path.split('?')[0] as string] ?? pages[path];
    const page: Page = typeof entry === 'function' ? entry(request) : entry ?? { status: 404, type: 'text/plain', body: 'not found' };
    const send = (): void => {
      response.writeHead(page.status ?? 200, { 'content-type': page.type ?? 'text/html; charset=utf-8', ...page.headers });
      response.end(page.body ?? '');
    };
    if (page.delayMs) setTimeout(send, page.delayMs).unref();
    else send();
  });
  const port = await listenLocal(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    async close() {
      await closeNow(server);
    },
  };
}

/** A SearXNG JSON result. */
export interface SearxngHit {
  title?: string;
  url: string;
  content?: string;
}

/** A fake SearXNG: `handler(query)` gives the hits (or an HTTP status to answer with). */
export async function startFakeSearxng(handler: (query: string) => SearxngHit[] | number): Promise<LocalSite & { queries: string[] }> {
  const queries: string[] = [];
  const site = await startLocalSite({
    '/search': (request) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.searchParams.get('format') !== 'json') return { status: 403, type: 'text/html', body: '<h1>403 Forbidden</h1>' };
      const query = url.searchParams.get('q') ?? '';
      queries.push(query);
      const answer = handler(query);
      if (typeof answer === 'number') return { status: answer, type: 'text/html', body: 'error' };
      return { type: 'application/json', body: JSON.stringify({ query, number_of_results: answer.length, results: answer.map((hit) => ({ engine: 'fake', score: 1, ...hit })) }) };
    },
  });
  return Object.assign(site, { queries });
}

/** A long article page (Readability needs some text to find an article). */
export function articlePage(title: string, paragraphs: readonly string[]): Page {
  return {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html><head><title>${title}</title></head><body><nav><a href="/">Home</a> <a href="/about">About us</a></nav><article><h1>${title}</h1>${paragraphs.map((text) => `<p>${text}</p>`).join('')}</article><footer>Copyright footer text</footer></body></html>`,
  };
}

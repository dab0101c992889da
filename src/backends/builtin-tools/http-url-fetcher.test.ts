// The HTTP URL fetcher against local pages: screening, pinning, redirects re-checked, limits, types, the cache.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Resolve } from './address-policy.js';
import { createFetchCache } from './fetch-cache.js';
import { createHttpUrlFetcher } from './http-url-fetcher.js';
import { articlePage, startLocalSite, type LocalSite } from './testing/local-web.js';

let site: LocalSite;
let hidden: LocalSite;
const signal = (): AbortSignal => new AbortController().signal;
const paragraph = 'Batch mode runs many requests at half the price, and the results come back within a day. '.repeat(6);

before(async () => {
  hidden = await startLocalSite({ '/secret': { type: 'text/plain', body: 'internal secret' } });
  site = await startLocalSite({
    '/article': articlePage('Batch mode explained', [paragraph, paragraph]),
    '/bare': { body: '<html><head><title>Bare</title></head><body><p>Just one line.</p></body></html>' },
    '/notes.txt': { type: 'text/plain', body: 'plain notes\n' },
    '/data.json': { type: 'application/json', body: '{"a":1}' },
    '/paper.pdf': { type: 'application/pdf', body: '%PDF-1.7' },
    '/big': { type: 'text/plain', body: 'x'.repeat(5000) },
    '/slow': { type: 'text/plain', body: 'late', delayMs: 3000 },
    '/hop': { status: 302, headers: { location: '/notes.txt' } },
    '/loop': { status: 301, headers: { location: '/loop' } },
    '/inward': { status: 307, headers: { location: `${hidden.origin}/secret` } },
  });
});
after(async () => {
  await site.close();
  await hidden.close();
});

const fetcher = (options: Parameters<typeof createHttpUrlFetcher>[0] = {}): ReturnType<typeof createHttpUrlFetcher> =>
  createHttpUrlFetcher({ allowHosts: [site.host], ...options });

test('a loopback URL is refused unless its host:port is allowed, and the refused server is never asked', async () => {
  const plain = createHttpUrlFetcher();
  assert.match(await plain.screen(`${site.origin}/article`, signal()) ?? '', /127\.0\.0\.1 is a loopback address, which batchmode does not fetch from unless tools\.urlContext\.allowHosts lists 127\.0\.0\.1:\d+/);
  assert.equal(await fetcher().screen(`${site.origin}/article`, signal()), undefined);
  assert.match(await fetcher().screen(`${hidden.origin}/secret`, signal()) ?? '', /loopback/);
  const direct = await fetcher().fetch(`${hidden.origin}/secret`, signal());
  assert.equal(direct.status, 'URL_RETRIEVAL_STATUS_UNSAFE');
  assert.deepEqual(hidden.requests, []);
});

test('HTML is read with Readability (title and article text, no navigation); text and JSON as they are; PDF and 404 are errors', async () => {
  const urls = fetcher();
  const article = await urls.fetch(`${site.origin}/article`, signal());
  assert.equal(article.status, 'URL_RETRIEVAL_STATUS_SUCCESS');
  assert.equal(article.title, 'Batch mode explained');
  assert.match(article.text ?? '', /half the price/);
  assert.doesNotMatch(article.text ?? '', /About us|Copyright footer/);
  assert.match((await urls.fetch(`${site.origin}/bare`, signal())).text ?? '', /Just one line\./);
  assert.equal((await urls.fetch(`${site.origin}/notes.txt`, signal())).text, 'plain notes');
  assert.equal((await urls.fetch(`${site.origin}/data.json`, signal())).text, '{"a":1}');
  const pdf = await urls.fetch(`${site.origin}/paper.pdf`, signal());
  assert.deepEqual([pdf.status, pdf.reason], ['URL_RETRIEVAL_STATUS_ERROR', 'PDF text is not extracted (no PDF library for Node 20 is bundled)']);
  assert.deepEqual(await urls.fetch(`${site.origin}/nothing`, signal()), { url: `${site.origin}/nothing`, status: 'URL_RETRIEVAL_STATUS_ERROR', reason: 'HTTP 404' });
});

test('redirects are followed and re-checked: a hop to a refused address is UNSAFE and never reaches it; loops stop', async () => {
  const urls = fetcher();
  assert.equal((await urls.fetch(`${site.origin}/hop`, signal())).text, 'plain notes');
  const inward = await urls.fetch(`${site.origin}/inward`, signal());
  assert.equal(inward.status, 'URL_RETRIEVAL_STATUS_UNSAFE');
  assert.match(inward.reason ?? '', /redirects to http:\/\/127\.0\.0\.1:\d+\/secret, and 127\.0\.0\.1 is a loopback address/);
  assert.deepEqual(hidden.requests, []);
  assert.deepEqual(await urls.fetch(`${site.origin}/loop`, signal()), { url: `${site.origin}/loop`, status: 'URL_RETRIEVAL_STATUS_ERROR', reason: 'more than 5 redirects' });
});

test('the connection goes to the screened address, whatever the name (pinned)', async () => {
  const port = site.host.split(':')[1];
  const resolve: Resolve = async (host) => (host === 'pages.test' ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(new Error('unknown')));
  const urls = createHttpUrlFetcher({ allowHosts: [`pages.test:${port}`], resolve });
  assert.equal((await urls.fetch(`http://pages.test:${port}/notes.txt`, signal())).text, 'plain notes');
  assert.equal((await createHttpUrlFetcher({ resolve }).fetch(`http://pages.test:${port}/notes.txt`, signal())).status, 'URL_RETRIEVAL_STATUS_UNSAFE');
});

test('size and time limits: a big page is cut and marked, a slow one is an error', async () => {
  const urls = fetcher({ maxBytes: 1000, timeoutSeconds: 0.2 });
  const big = await urls.fetch(`${site.origin}/big`, signal());
  assert.deepEqual([big.status, big.text?.length, big.truncated], ['URL_RETRIEVAL_STATUS_SUCCESS', 1000, true]);
  const slow = await urls.fetch(`${site.origin}/slow`, signal());
  assert.deepEqual([slow.status, slow.reason], ['URL_RETRIEVAL_STATUS_ERROR', 'no answer within 0.2 s']);
});

test('a URL asked for by many requests at once is fetched once, and again after the TTL', async () => {
  let now = 0;
  const urls = fetcher({ cache: createFetchCache({ ttlMs: 1000, now: () => now }) });
  const before = site.requests.filter((path) => path === '/data.json').length;
  const answers = await Promise.all(Array.from({ length: 50 }, () => urls.fetch(`${site.origin}/data.json`, signal())));
  assert.ok(answers.every((answer) => answer.text === '{"a":1}'));
  assert.equal(site.requests.filter((path) => path === '/data.json').length - before, 1);
  now = 2000;
  await urls.fetch(`${site.origin}/data.json`, signal());
  assert.equal(site.requests.filter((path) => path === '/data.json').length - before, 2);
});

test('the cache is bounded by bytes (oldest dropped), and one caller giving up does not fail the others', async () => {
  const cache = createFetchCache({ maxBytes: 5050 });
  const urls = fetcher({ cache });
  await urls.fetch(`${site.origin}/notes.txt`, signal());
  await urls.fetch(`${site.origin}/big`, signal());
  assert.equal(cache.size(), 1, 'the older entry made room');
  const quitter = new AbortController();
  const first = urls.fetch(`${site.origin}/hop`, quitter.signal);
  const second = urls.fetch(`${site.origin}/hop`, signal());
  quitter.abort();
  await assert.rejects(first, /cancelled/);
  assert.equal((await second).text, 'plain notes');
});

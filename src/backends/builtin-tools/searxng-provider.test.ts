// The SearXNG provider against a local fake SearXNG: results, count, errors and their retryability.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BackendError } from '../backend.js';
import { createSearxngProvider } from './searxng-provider.js';
import { startFakeSearxng, startLocalSite, type LocalSite } from './testing/local-web.js';

let searxng: Awaited<ReturnType<typeof startFakeSearxng>>;
before(async () => {
  searxng = await startFakeSearxng((query) => {
    if (query === 'outage') return 502;
    if (query === 'teapot') return 418;
    return [
      { title: ' First ', url: 'https://one.example/a', content: 'The   first\nsnippet.' },
      { title: 'Duplicate', url: 'https://one.example/a', content: 'again' },
      { title: 'Not web', url: 'ftp://files.example/x' },
      { url: 'https://two.example/b' },
      { title: 'Third', url: 'https://three.example/c', content: 'third' },
    ];
  });
});
after(() => searxng.close());
const signal = (): AbortSignal => new AbortController().signal;
const failure = async (promise: Promise<unknown>): Promise<BackendError> => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof BackendError, String(error));
  return error;
};

test('searches with format=json and reads title, url and content, deduplicated, http(s) only, at most count', async () => {
  const provider = createSearxngProvider({ baseUrl: `${searxng.origin}/` });
  const results = await provider.search('capital of France?', 2, signal());
  assert.deepEqual(results, [
    { title: 'First', url: 'https://one.example/a', snippet: 'The first snippet.' },
    { title: 'two.example', url: 'https://two.example/b', snippet: '' },
  ]);
  assert.equal(searxng.queries.at(-1), 'capital of France?');
  assert.equal((await provider.search('x', 10, signal())).length, 3);
});

test('5xx and connection failures are retryable UNAVAILABLE; a JSON-disabled instance and other answers are not retryable', async () => {
  const provider = createSearxngProvider({ baseUrl: searxng.origin });
  const outage = await failure(provider.search('outage', 5, signal()));
  assert.deepEqual([outage.status, outage.retryable, outage.httpStatus], ['UNAVAILABLE', true, 502]);
  const teapot = await failure(provider.search('teapot', 5, signal()));
  assert.deepEqual([teapot.status, teapot.retryable], ['FAILED_PRECONDITION', false]);

  const html: LocalSite = await startLocalSite({ '/search': { status: 403, body: 'Forbidden' } });
  const forbidden = await failure(createSearxngProvider({ baseUrl: html.origin }).search('x', 5, signal()));
  assert.match(forbidden.message, /enable the json format in SearXNG's settings\.yml/);
  await html.close();
  const closed = await failure(createSearxngProvider({ baseUrl: html.origin }).search('x', 5, signal()));
  assert.deepEqual([closed.status, closed.retryable], ['UNAVAILABLE', true]);
  assert.match(closed.message, /cannot be reached \(ECONNREFUSED\)/);
});

test('a search slower than the timeout is a retryable UNAVAILABLE; an aborted one is CANCELLED', async () => {
  const slow = await startLocalSite({ '/search': { delayMs: 2000, type: 'application/json', body: '{"results":[]}' } });
  const timedOut = await failure(createSearxngProvider({ baseUrl: slow.origin, timeoutMs: 100 }).search('x', 5, signal()));
  assert.deepEqual([timedOut.status, timedOut.retryable], ['UNAVAILABLE', true]);
  const controller = new AbortController();
  const pending = createSearxngProvider({ baseUrl: slow.origin }).search('x', 5, controller.signal);
  controller.abort();
  assert.equal((await failure(pending)).status, 'CANCELLED');
  await slow.close();
});

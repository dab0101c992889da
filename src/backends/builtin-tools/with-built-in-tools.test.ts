// The built-in tools decorator around a recording inner backend (our own port), with a local fake SearXNG and local pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import { BackendError, type CallOptions, type ModelBackend } from '../backend.js';
import { createSimulatedBackend } from '../simulated/simulated-backend.js';
import { createHttpUrlFetcher } from './http-url-fetcher.js';
import { createSearxngProvider } from './searxng-provider.js';
import { startFakeSearxng, startLocalSite, articlePage, type LocalSite } from './testing/local-web.js';
import { simulatedToolRunners } from './tool-runners.js';
import { withBuiltInTools } from './with-built-in-tools.js';

const ANSWER = 'Paris is the capital of France [1]. It is lovely.';
let searxng: Awaited<ReturnType<typeof startFakeSearxng>>;
let site: LocalSite;
let hidden: LocalSite;
const seen: GenerateContentRequest[] = [];
const inner: ModelBackend = {
  id: 'recording',
  async generateContent(request) {
    seen.push(request);
    return { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: ANSWER }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 12, totalTokenCount: 1012 } };
  },
  async *streamGenerateContent(request) {
    seen.push(request);
    yield { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'Paris is the capital ' }] } }] };
    yield { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'of France [2].' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 12, totalTokenCount: 1012 } };
  },
};
const call = (): CallOptions => ({ model: 'gemini-2.5-flash', signal: new AbortController().signal });
const ask = (text: string, tools: GenerateContentRequest['tools']): GenerateContentRequest => ({ contents: [{ role: 'user', parts: [{ text }] }], tools });
const failure = async (promise: Promise<unknown>): Promise<BackendError> => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof BackendError, String(error));
  return error;
};
const lastText = (): string => JSON.stringify(seen.at(-1)?.contents.at(-1)?.parts);

before(async () => {
  searxng = await startFakeSearxng(() => [
    { title: 'Paris - Wikipedia', url: 'https://en.wikipedia.org/wiki/Paris', content: 'Paris is the capital and largest city of France.' },
    { title: 'France facts', url: 'https://facts.example/france', content: 'Facts about France.' },
  ]);
  hidden = await startLocalSite({ '/': { body: 'private' } });
  site = await startLocalSite({ '/guide': articlePage('The batch guide', ['Batch mode halves the price of every request sent through it. '.repeat(5)]) });
});
after(async () => Promise.all([searxng.close(), site.close(), hidden.close()]));
const tools = (): ModelBackend => withBuiltInTools(inner, {
  search: createSearxngProvider({ baseUrl: searxng.origin }), searchResults: 2, urls: createHttpUrlFetcher({ allowHosts: [site.host] }),
});

test('a request without built-in tools reaches the backend unchanged, its answer too', async () => {
  const request = ask('hello', [{ functionDeclarations: [{ name: 'f' }] }]);
  const answer = await tools().generateContent(request, call());
  assert.equal(seen.at(-1), request);
  assert.equal(answer.candidates?.[0]?.groundingMetadata, undefined);
});

test('googleSearch: the backend gets the results as numbered context without the tool; the answer gets groundingMetadata and tool-use tokens', async () => {
  const answer = await tools().generateContent(ask('What is the capital of France?', [{ googleSearch: {} }, { functionDeclarations: [{ name: 'f' }] }]), call());
  assert.equal(searxng.queries.at(-1), 'What is the capital of France?');
  assert.deepEqual(seen.at(-1)?.tools, [{ functionDeclarations: [{ name: 'f' }] }]);
  assert.equal(seen.at(-1)?.contents.at(-1)?.parts?.[0]?.text, 'What is the capital of France?', "the caller's text comes first, unchanged");
  assert.match(lastText(), /\[1\] Paris - Wikipedia\\nURL: https:\/\/en\.wikipedia\.org\/wiki\/Paris\\nParis is the capital and largest city/);
  assert.match(lastText(), /cite it by its number in square brackets/);
  const candidate = answer.candidates?.[0];
  assert.deepEqual(candidate?.groundingMetadata, {
    webSearchQueries: ['What is the capital of France?'],
    groundingChunks: [{ web: { uri: 'https://en.wikipedia.org/wiki/Paris', title: 'Paris - Wikipedia' } }, { web: { uri: 'https://facts.example/france', title: 'France facts' } }],
    groundingSupports: [{ segment: { endIndex: 35, text: 'Paris is the capital of France [1].' }, groundingChunkIndices: [0] }],
  });
  const usage = answer.usageMetadata as Record<string, number>;
  assert.ok(usage.toolUsePromptTokenCount! > 20, JSON.stringify(usage));
  assert.equal(usage.promptTokenCount! + usage.toolUsePromptTokenCount!, 1000);
  assert.equal(usage.totalTokenCount, 1012);
  const older = await tools().generateContent(ask('Capital of France?', [{ googleSearchRetrieval: { dynamicRetrievalConfig: {} } }]), call());
  assert.equal(older.candidates?.[0]?.groundingMetadata !== undefined && seen.at(-1)?.tools === undefined, true);
});

test('googleSearch without a search provider fails the line, saying how to configure one', async () => {
  const before = seen.length;
  const error = await failure(withBuiltInTools(inner, {}).generateContent(ask('news?', [{ googleSearch: {} }]), call()));
  assert.deepEqual([error.status, error.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(error.message, /googleSearch needs a search provider.*tools: \{ googleSearch: \{ searxngUrl: "http:\/\/127\.0\.0\.1:8888" \} \}/);
  assert.equal(seen.length, before);
});

test('urlContext: pages become context; each URL reports its status; a failed page does not fail the request', async () => {
  const answer = await tools().generateContent(ask(`Summarise ${site.origin}/guide and ${site.origin}/gone.`, [{ urlContext: {} }]), call());
  assert.match(lastText(), /<page url=\\"http:\/\/127\.0\.0\.1:\d+\/guide\\" title=\\"The batch guide\\">\\nBatch mode halves the price/);
  assert.match(lastText(), /gone\\">could not be retrieved: HTTP 404/);
  assert.deepEqual(answer.candidates?.[0]?.urlContextMetadata, { urlMetadata: [
    { retrievedUrl: `${site.origin}/guide`, urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' },
    { retrievedUrl: `${site.origin}/gone`, urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_ERROR' },
  ] });
  assert.equal(answer.candidates?.[0]?.groundingMetadata, undefined);
});

test('urlContext: a URL on a refused address fails the request naming it and why, and nothing is fetched; over 20 URLs fail too', async () => {
  const before = seen.length;
  const siteBefore = site.requests.length;
  const error = await failure(tools().generateContent(ask(`Compare ${site.origin}/guide with ${hidden.origin}/`, [{ urlContext: {} }]), call()));
  assert.deepEqual([error.status, error.retryable], ['PERMISSION_DENIED', false]);
  assert.equal(error.message, `urlContext: batchmode does not fetch ${hidden.origin}/: 127.0.0.1 is a loopback address, which batchmode does not fetch from unless tools.urlContext.allowHosts lists ${hidden.host}`);
  assert.deepEqual(hidden.requests, []);
  assert.equal(site.requests.length, siteBefore, 'not even the allowed URL is fetched for a refused request');
  assert.equal(seen.length, before);
  const many = Array.from({ length: 21 }, (_, index) => `https://example.com/${index}`).join(' ');
  assert.match((await failure(tools().generateContent(ask(many, [{ urlContext: {} }]), call()))).message, /names 21 URLs; at most 20/);
});

test('streaming: the tools run first, the chunks pass through, the last carries the metadata and usage', async () => {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of tools().streamGenerateContent!(ask('Capital of France?', [{ googleSearch: {} }]), call())) chunks.push(chunk);
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0]?.candidates?.[0]?.groundingMetadata, undefined);
  const metadata = chunks[1]?.candidates?.[0]?.groundingMetadata as { groundingSupports: unknown[] };
  assert.deepEqual(metadata.groundingSupports, [{ segment: { endIndex: 35, text: 'Paris is the capital of France [2].' }, groundingChunkIndices: [1] }]);
  assert.equal(chunks[1]?.candidates?.[0]?.finishReason, 'STOP');
  assert.ok((chunks[1]?.usageMetadata?.toolUsePromptTokenCount as number) > 0);
});

test('the simulated model: deterministic sources under example.com that its answer cites, and URL statuses, no network', async () => {
  const simulated = withBuiltInTools(createSimulatedBackend(), simulatedToolRunners());
  const request = ask('Who won the 2024 final?', [{ googleSearch: {} }]);
  const first = await simulated.generateContent(request, call());
  assert.deepEqual(first, await simulated.generateContent(request, call()));
  const grounding = first.candidates?.[0]?.groundingMetadata as { webSearchQueries: string[]; groundingChunks: { web: { uri: string } }[]; groundingSupports: { segment: { endIndex: number; text: string } }[] };
  assert.deepEqual(grounding.webSearchQueries, ['Who won the 2024 final?']);
  assert.equal(grounding.groundingChunks.length, 5);
  assert.ok(grounding.groundingChunks.every((chunk) => chunk.web.uri.startsWith('https://example.com/')));
  assert.ok(grounding.groundingSupports.length > 0);
  const text = first.candidates?.[0]?.content?.parts?.[0]?.text ?? '';
  for (const { segment } of grounding.groundingSupports) assert.ok(text.includes(segment.text));
  const pages = await simulated.generateContent(ask('Read https://docs.example.org/intro and https://docs.example.org/missing', [{ urlContext: {} }]), call());
  assert.deepEqual((pages.candidates?.[0]?.urlContextMetadata as { urlMetadata: unknown[] }).urlMetadata, [
    { retrievedUrl: 'https://docs.example.org/intro', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' },
    { retrievedUrl: 'https://docs.example.org/missing', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_ERROR' },
  ]);
  assert.equal((await failure(simulated.generateContent(ask('Read http://169.254.169.254/latest', [{ urlContext: {} }]), call()))).status, 'PERMISSION_DENIED');
});

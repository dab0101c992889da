/**
 * Built-in tools on a self-hosted backend, end to end: `batchmode serve` with a config routing
 * gemini-2.5-flash to the fake OpenAI-compatible server, a fake SearXNG for googleSearch and
 * local pages for urlContext (allow-listed; a second local server is not, and must never be
 * asked). A file batch mixing plain, search, URL and refused-URL lines runs through the official
 * SDK: the backend receives the results as context, the results carry Gemini's
 * groundingMetadata / urlContextMetadata and tool-use tokens, and the refused line fails saying
 * why. An interactive generateContent gets the same metadata.
 */
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { articlePage, startFakeSearxng, startLocalSite, type LocalSite } from '../../src/backends/builtin-tools/testing/local-web.js';
import { defaultReply, startFakeOpenAIServer, type FakeOpenAIServer, type RecordedRequest } from '../../src/backends/openai/testing/fake-openai-server.js';
import { runSdkFileBatch } from '../support/sdk-file-batch.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'builtin-tools-key';
const GUIDE = 'Batch mode processes requests asynchronously within twenty-four hours at half the interactive price. ';

interface ChatBody { messages: { role: string; content: string | { type: string; text?: string }[] }[] }
const lastUserText = (request: RecordedRequest): string => {
  const messages = (request.body as ChatBody).messages.filter((message) => message.role === 'user');
  const content = messages.at(-1)?.content ?? '';
  return typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('\n');
};
const completion = (request: RecordedRequest, content: string): unknown => ({
  id: 'chatcmpl-tools', object: 'chat.completion', created: 1_700_000_000, model: (request.body as { model: string }).model,
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 },
});

describe('built-in tools through the OpenAI-compatible backend', () => {
  let openai: FakeOpenAIServer;
  let searxng: Awaited<ReturnType<typeof startFakeSearxng>>;
  let pages: LocalSite;
  let hidden: LocalSite;
  let server: ServerProcess;
  let ai: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-tools-'));

  before(async () => {
    openai = await startFakeOpenAIServer();
    openai.setHandler((request) => {
      const text = request.path.startsWith('/v1/chat/completions') ? lastUserText(request) : '';
      if (text.includes('Web search results')) return { json: completion(request, 'The 2024 final was won by the Blue Team [1]. It was close [2]. Tickets sold out.') };
      if (text.includes('<page url=')) return { json: completion(request, 'The guide says batches cost half as much.') };
      return defaultReply(request);
    });
    searxng = await startFakeSearxng((query) => [
      { title: `Final report: ${query}`, url: 'https://sports.example/final', content: 'The Blue Team won the 2024 final.' },
      { title: 'Match diary', url: 'https://diary.example/2024', content: 'A close game.' },
      { title: 'Third', url: 'https://third.example/', content: 'More.' },
    ]);
    pages = await startLocalSite({ '/guide': articlePage('Batch guide', [GUIDE.repeat(4)]) });
    hidden = await startLocalSite({ '/admin': { body: 'internal admin page' } });
    const config = join(work, 'batchmode.yaml');
    writeFileSync(config, [
      'models:',
      '  - name: gemini-2.5-flash',
      `    backend: { type: openai, baseUrl: "${openai.baseUrl}", model: "qwen2.5:7b" }`,
      'tools:',
      `  googleSearch: { searxngUrl: "${searxng.origin}", results: 2 }`,
      `  urlContext: { allowHosts: ["${pages.host}"], maxBytes: 100000, timeoutSeconds: 5 }`,
      '',
    ].join('\n'));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config } });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server?.stop();
    await Promise.all([openai?.close(), searxng?.close(), pages?.close(), hidden?.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  test('a file batch mixing plain, search, URL and refused-URL lines', async () => {
    const lines = [
      { key: 'plain', request: { contents: [{ parts: [{ text: 'Describe photosynthesis.' }] }] } },
      { key: 'search', request: { contents: [{ parts: [{ text: 'Who won the 2024 final?' }] }], tools: [{ googleSearch: {} }] } },
      { key: 'url', request: { contents: [{ parts: [{ text: `Summarise ${pages.origin}/guide and ${pages.origin}/gone` }] }], tools: [{ url_context: {} }] } },
      { key: 'refused', request: { contents: [{ parts: [{ text: `What does ${hidden.origin}/admin say?` }] }], tools: [{ urlContext: {} }] } },
    ];
    type Result = { key: string; response?: { candidates: Record<string, unknown>[]; usageMetadata: Record<string, number> }; error?: { code: number; message: string; status: string } };
    const results = new Map((await runSdkFileBatch<Result>(ai, work, 'gemini-2.5-flash', lines)).results.map((result) => [result.key, result]));

    assert.ok(results.get('plain')?.response, JSON.stringify(results.get('plain')));
    assert.equal(results.get('plain')?.response?.candidates[0]?.groundingMetadata, undefined);

    const search = results.get('search')?.response;
    assert.ok(search, JSON.stringify(results.get('search')));
    assert.deepEqual(search.candidates[0]?.groundingMetadata, {
      webSearchQueries: ['Who won the 2024 final?'],
      groundingChunks: [
        { web: { uri: 'https://sports.example/final', title: 'Final report: Who won the 2024 final?' } },
        { web: { uri: 'https://diary.example/2024', title: 'Match diary' } },
      ],
      groundingSupports: [
        { segment: { endIndex: 44, text: 'The 2024 final was won by the Blue Team [1].' }, groundingChunkIndices: [0] },
        { segment: { startIndex: 45, endIndex: 62, text: 'It was close [2].' }, groundingChunkIndices: [1] },
      ],
    });
    assert.ok(search.usageMetadata.toolUsePromptTokenCount! > 0);
    assert.equal(search.usageMetadata.promptTokenCount! + search.usageMetadata.toolUsePromptTokenCount!, 900);
    assert.deepEqual(searxng.queries, ['Who won the 2024 final?']);

    const url = results.get('url')?.response;
    assert.ok(url, JSON.stringify(results.get('url')));
    assert.deepEqual(url.candidates[0]?.urlContextMetadata, { urlMetadata: [
      { retrievedUrl: `${pages.origin}/guide`, urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' },
      { retrievedUrl: `${pages.origin}/gone`, urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_ERROR' },
    ] });

    const refused = results.get('refused')?.error;
    assert.equal(refused?.status, 'PERMISSION_DENIED');
    assert.match(refused?.message ?? '', new RegExp(`urlContext: batchmode does not fetch ${hidden.origin}/admin: 127\\.0\\.0\\.1 is a loopback address.*allowHosts lists ${hidden.host}`));
    assert.deepEqual(hidden.requests, [], 'nothing was fetched from the refused server');

    const chats = openai.requests.filter((request) => request.path.startsWith('/v1/chat/completions'));
    assert.ok(chats.every((request) => request.problems.length === 0), JSON.stringify(chats.map((request) => request.problems)));
    assert.ok(chats.every((request) => (request.body as { tools?: unknown }).tools === undefined), 'no built-in tool reached the backend');
    const searchChat = chats.map(lastUserText).find((text) => text.startsWith('Who won the 2024 final?'));
    assert.match(searchChat ?? '', /\[1\] Final report: Who won the 2024 final\?\nURL: https:\/\/sports\.example\/final\nThe Blue Team won the 2024 final\./);
    assert.match(searchChat ?? '', /\[2\] Match diary/);
    assert.doesNotMatch(searchChat ?? '', /\n\[3\] /, 'results: 2');
    const urlChat = chats.map(lastUserText).find((text) => text.startsWith('Summarise'));
    assert.match(urlChat ?? '', /title="Batch guide">\nBatch mode processes requests asynchronously/);
    assert.match(urlChat ?? '', /\/gone">could not be retrieved: HTTP 404/);
    assert.equal(chats.filter((request) => lastUserText(request).includes('/admin')).length, 0, 'the refused line never reached the backend');
  });

  test('an interactive generateContent through the SDK carries groundingMetadata', async () => {
    const answer = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Who won the 2024 final, really?', config: { tools: [{ googleSearch: {} }] } });
    const grounding = answer.candidates?.[0]?.groundingMetadata;
    assert.deepEqual(grounding?.webSearchQueries, ['Who won the 2024 final, really?']);
    assert.equal(grounding?.groundingChunks?.[0]?.web?.uri, 'https://sports.example/final');
    assert.deepEqual(grounding?.groundingSupports?.map((support) => support.groundingChunkIndices), [[0], [1]]);
    assert.ok((answer.usageMetadata?.toolUsePromptTokenCount ?? 0) > 0);
  });
});

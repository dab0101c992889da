/**
 * Image batches through an OpenAI-compatible image route: a server process routes the image
 * model to a local fake image server (`backend.images` in the model config) and a file batch's
 * lines reach it as `/images/generations` (JSON) and `/images/edits` (multipart, with an image
 * uploaded through the Files API read by the worker and sent as bytes), their answers coming back
 * as inlineData PNGs in the results file; the same request on a chat-only route fails its line
 * with INVALID_ARGUMENT saying how to enable images.
 */
import { GoogleGenAI, JobState } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeImageServer, type FakeImageServer } from '../../src/backends/openai/testing/fake-image-server.js';
import { renderImage } from '../../src/backends/simulated/simulated-image.js';
import { decodePng } from '../../src/backends/simulated/testing/decode-png.js';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'images-openai-key';

interface ResultLine {
  key: string;
  response?: { candidates: { content: { parts: { text?: string; inlineData?: { mimeType: string; data: string } }[] } }[]; usageMetadata?: Record<string, unknown> };
  error?: { status: string; message: string };
}

describe('image batches on an OpenAI-compatible image route', () => {
  let images: FakeImageServer;
  let server: ServerProcess;
  let ai: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-images-openai-'));
  const runFileBatch = async (model: string, lines: unknown[]): Promise<ResultLine[]> => {
    const path = join(work, `${model}.jsonl`);
    writeFileSync(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl' } });
    const job = await ai.batches.create({ model, src: file.name! });
    const done = await pollUntil(() => ai.batches.get({ name: job.name! }), (batch) => batch.state === JobState.JOB_STATE_SUCCEEDED, 60_000);
    const results = join(work, `${model}-results.jsonl`);
    await ai.files.download({ file: done.dest!.fileName!, downloadPath: results });
    return readFileSync(results, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as ResultLine);
  };

  before(async () => {
    images = await startFakeImageServer();
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({ models: [
      { name: 'gemini-2.5-flash-image', backend: { type: 'openai', baseUrl: images.baseUrl, apiKey: 'sk-local', images: { model: 'gpt-image-1', sendResponseFormat: false } } },
      { name: 'gemini-2.5-flash', backend: { type: 'openai', baseUrl: images.baseUrl, model: 'qwen2.5:7b' } },
    ] }));
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: config } });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server?.stop();
    await images?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('generations and edits (an uploaded image as bytes) both ways, through a file batch', { timeout: 120_000 }, async () => {
    const photo = renderImage(42, 40, 30);
    writeFileSync(join(work, 'cat.png'), photo);
    const uploaded = await ai.files.upload({ file: join(work, 'cat.png'), config: { mimeType: 'image/png' } });
    const lines = await runFileBatch('gemini-2.5-flash-image', [
      { key: 'poster', request: { contents: [{ parts: [{ text: 'A travel poster of Lyon' }] }], generation_config: { responseModalities: ['TEXT', 'IMAGE'], candidateCount: 2, imageConfig: { aspectRatio: '16:9' } } } },
      { key: 'edit', request: { contents: [{ role: 'user', parts: [{ text: 'Put this cat on a beach' }, { fileData: { mimeType: 'image/png', fileUri: uploaded.uri } }] }], generationConfig: { responseModalities: ['IMAGE'] } } },
    ]);
    assert.deepEqual(lines.map((line) => [line.key, line.error?.message ?? 'ok']), [['poster', 'ok'], ['edit', 'ok']]);

    const generation = images.requests.find((request) => request.path === '/v1/images/generations');
    assert.deepEqual(generation?.problems, []);
    assert.deepEqual(generation?.json, { model: 'gpt-image-1', prompt: 'A travel poster of Lyon', n: 2, size: '1536x1024' });
    assert.equal(generation?.headers.authorization, 'Bearer sk-local');
    const edit = images.requests.find((request) => request.path === '/v1/images/edits');
    assert.deepEqual(edit?.problems, []);
    assert.deepEqual(edit?.fields, [['model', 'gpt-image-1'], ['prompt', 'Put this cat on a beach'], ['n', '1']]);
    assert.equal(edit?.files.length, 1);
    assert.ok(edit.files[0]!.data.equals(photo), 'the uploaded file reaches the image server as its bytes');

    const poster = lines[0]!.response!;
    assert.equal(poster.candidates.length, 2, 'one candidate per image');
    for (const candidate of poster.candidates) {
      assert.match(candidate.content.parts[0]?.text ?? '', /^A picture: A travel poster/);
      const png = decodePng(candidate.content.parts[1]!.inlineData!.data);
      assert.deepEqual([png.width, png.height], [192, 128]);
    }
    assert.equal(poster.usageMetadata?.candidatesTokenCount, 2112);
    const edited = lines[1]!.response!.candidates[0]!.content.parts;
    assert.deepEqual(edited.map((part) => part.inlineData?.mimeType), ['image/png']);
    decodePng(edited[0]!.inlineData!.data);
  });

  test('a chat-only route fails image lines with INVALID_ARGUMENT naming the setting; text lines still run', { timeout: 120_000 }, async () => {
    images.requests.length = 0;
    const lines = await runFileBatch('gemini-2.5-flash', [
      { key: 'text', request: { contents: [{ parts: [{ text: 'hi' }] }] } },
      { key: 'picture', request: { contents: [{ parts: [{ text: 'a cat' }] }], generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } } },
    ]);
    assert.equal(lines[0]!.error, undefined);
    assert.equal(lines[1]!.error?.status, 'INVALID_ARGUMENT');
    assert.match(lines[1]!.error.message, /chat-only .*"images": true/);
    assert.deepEqual(images.requests.map((request) => request.path), ['/v1/chat/completions']);
  });
});
